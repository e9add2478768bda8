"""Web application tests (pages, API, security, browser)."""
