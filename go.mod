module github.com/rentdesk/rentdesk

go 1.26.8
