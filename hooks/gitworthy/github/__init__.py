"""The GitHub Action's Python side: the REST client, the one PR comment, the action's steps."""
