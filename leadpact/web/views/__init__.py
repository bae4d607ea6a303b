"""The web app's pages, one module per part: the inbox, leads, the manager's board, marketing, the agreement, admin."""
