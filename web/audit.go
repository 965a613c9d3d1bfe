package web

import (
	"context"

	"github.com/labstack/echo/v4"

	"github.com/rentdesk/rentdesk/internal/store"
)

// audit records a change by the current user inside the change's transaction.
func audit(ctx context.Context, c echo.Context, tx *store.Store, action, entityType, entityID string, before, after any) error {
	var actor int64
	if u := currentUser(c); u != nil {
		actor = u.ID
	}
	return tx.InsertAudit(ctx, store.Audit{
		ActorID: actor, Action: action, EntityType: entityType, EntityID: entityID,
		Before: before, After: after, RequestID: c.Response().Header().Get(echo.HeaderXRequestID),
	})
}
