"""Credentials in text files and notebooks, for check-secrets; detect-secrets is the engine.

    hits = scanner(disabled).scan_text(text, path)   # Hit(line, type, value): never output

Modules: `plugins` (gitworthy's detect-secrets plugins for data work), `formats` (the
provider token table, plain data), `prefilter` (fast scans of whole blocks: only lines some
plugin could report on reach the plugins), `scanner` (detect-secrets' plugins and filters
configured once, applied to lines, blocks or a stream), `reading` (a file's text, whole or
block by block), `baseline` (detect-secrets' own `.secrets.baseline`). Notebooks are read
through `gitworthy.notebooks`. Nothing here imports detect-secrets until a line reaches the
plugins.
"""
