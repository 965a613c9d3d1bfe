package store

// Internals the external tests compare against.
var LikeEscapeForTest = likeEscape

const SearchFewCustomersForTest = searchFewCustomers
