"""Renderers: text, json, sarif, markdown and github annotations, each `render(report, ...)`."""
