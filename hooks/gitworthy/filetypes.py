"""Content sniffing shared by the checks: text or binary, Git LFS pointers, data formats.

Everything here judges a file from its first bytes (`File.head()`), never its whole content.
"""
from __future__ import annotations

import re

LFS_POINTER = re.compile(  # the whole file: `key value` lines only (no rows behind a header)
    rb"\Aversion https://git-lfs\.github\.com/spec/v1\n"
    rb"(?:[a-z0-9.\-]+ [^\s,;]*\n)*?oid sha256:[0-9a-f]{64}\n(?:[a-z0-9.\-]+ [^\s,;]*\n)*?"
    rb"size \d+\n(?:[a-z0-9.\-]+ [^\s,;]*\n)*\Z"
)
LFS_POINTER_MAX = 1024  # git-lfs never writes a pointer larger than this


def human_size(size: int) -> str:
    """1536 -> '1.5 KB' (KB = 1024 bytes, as in pre-commit-hooks' check-added-large-files)."""
    if size < 1024:
        return f"{size} bytes"
    value = float(size)
    for unit in ("KB", "MB", "GB", "TB"):
        value /= 1024
        if value < 1024 or unit == "TB":
            break
    return f"{value:.1f} {unit}"


def is_lfs_pointer(head: bytes) -> bool:
    """True for a Git LFS pointer file (spec v1), the small text git stores instead of the data:
    `head` must be the whole file (a pointer is under LFS_POINTER_MAX bytes), and nothing but
    the pointer's `key value` lines, so real rows behind a copied pointer header are data."""
    return len(head) < LFS_POINTER_MAX and LFS_POINTER.match(head) is not None


def is_binary(head: bytes) -> bool:
    """Binary by git's own rule: a NUL byte in the first 8000 bytes."""
    return b"\0" in head[:8000]


# (format name, kind, magic bytes at offset 0). Kind "data", "media" or "archive".
MAGIC: tuple[tuple[str, str, bytes], ...] = (
    ("Parquet", "data", b"PAR1"),
    ("Arrow/Feather", "data", b"ARROW1"),
    ("Feather v1", "data", b"FEA1"),
    ("Avro", "data", b"Obj\x01"),
    ("ORC", "data", b"ORC"),
    ("HDF5", "data", b"\x89HDF\r\n\x1a\n"),
    ("NetCDF", "data", b"CDF\x01"),
    ("NetCDF", "data", b"CDF\x02"),
    ("NumPy array", "data", b"\x93NUMPY"),
    ("SQLite database", "data", b"SQLite format 3\x00"),
    ("Stata data", "data", b"<stata_dta>"),
    ("SPSS data", "data", b"$FL2"),
    ("SPSS data", "data", b"$FL3"),
    ("SAS data", "data", b"\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\xc2\xea\x81\x60"),
    ("Excel workbook (legacy)", "data", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"),
    ("PNG image", "media", b"\x89PNG\r\n\x1a\n"),
    ("JPEG image", "media", b"\xff\xd8\xff"),
    ("GIF image", "media", b"GIF8"),
    ("TIFF image", "media", b"II*\x00"),
    ("TIFF image", "media", b"MM\x00*"),
    ("PDF document", "media", b"%PDF-"),
    ("MP3 audio", "media", b"ID3"),
    ("FLAC audio", "media", b"fLaC"),
    ("Ogg media", "media", b"OggS"),
    ("Matroska/WebM video", "media", b"\x1a\x45\xdf\xa3"),
    ("gzip archive", "archive", b"\x1f\x8b"),
    ("bzip2 archive", "archive", b"BZh"),
    ("xz archive", "archive", b"\xfd7zXZ\x00"),
    ("zstd archive", "archive", b"\x28\xb5\x2f\xfd"),
    ("7-Zip archive", "archive", b"7z\xbc\xaf\x27\x1c"),
    ("RAR archive", "archive", b"Rar!\x1a\x07"),
    ("zip archive", "archive", b"PK\x03\x04"),
    ("zip archive", "archive", b"PK\x05\x06"),
)

# Extensions that are data or media even when the content does not say so (CSV is text).
DATA_EXTENSIONS: dict[str, str] = {
    ".csv": "CSV", ".tsv": "TSV", ".psv": "delimited text", ".parquet": "Parquet",
    ".pq": "Parquet", ".feather": "Arrow/Feather", ".arrow": "Arrow/Feather", ".avro": "Avro",
    ".orc": "ORC", ".xlsx": "Excel workbook", ".xls": "Excel workbook", ".xlsm": "Excel workbook",
    ".ods": "OpenDocument spreadsheet", ".sas7bdat": "SAS data", ".xpt": "SAS transport",
    ".dta": "Stata data", ".sav": "SPSS data", ".zsav": "SPSS data", ".por": "SPSS data",
    ".h5": "HDF5", ".hdf5": "HDF5", ".hdf": "HDF5", ".nc": "NetCDF", ".nc4": "NetCDF",
    ".npy": "NumPy array", ".npz": "NumPy archive", ".mat": "MATLAB data", ".rds": "R data",
    ".rdata": "R data", ".rda": "R data", ".jsonl": "JSON Lines", ".ndjson": "JSON Lines",
    ".db": "database", ".sqlite": "SQLite database", ".sqlite3": "SQLite database",
    ".duckdb": "DuckDB database", ".dat": "binary data", ".bin": "binary data",
    ".tfrecord": "TFRecord", ".lance": "Lance", ".zarr": "Zarr", ".xml": "XML data",
    ".json": "JSON data", ".geojson": "GeoJSON", ".shp": "shapefile", ".gpkg": "GeoPackage",
    ".png": "PNG image", ".jpg": "JPEG image", ".jpeg": "JPEG image", ".gif": "GIF image",
    ".tif": "TIFF image", ".tiff": "TIFF image", ".bmp": "bitmap image", ".webp": "WebP image",
    ".dcm": "DICOM image", ".nii": "NIfTI image", ".wav": "WAV audio", ".mp3": "MP3 audio",
    ".flac": "FLAC audio", ".ogg": "Ogg media", ".mp4": "MP4 video", ".mov": "QuickTime video",
    ".avi": "AVI video", ".mkv": "Matroska video", ".webm": "WebM video", ".pdf": "PDF document",
    ".zip": "zip archive", ".gz": "gzip archive", ".tgz": "gzip archive", ".bz2": "bzip2 archive",
    ".xz": "xz archive", ".zst": "zstd archive", ".7z": "7-Zip archive", ".rar": "RAR archive",
    ".tar": "tar archive", ".docx": "Word document", ".pptx": "PowerPoint deck",
    # Text data formats of the field: tables, sequences, point clouds, spectra.
    ".arff": "ARFF table", ".libsvm": "LIBSVM data", ".svmlight": "LIBSVM data",
    ".tab": "tab-separated data", ".dsv": "delimited text", ".ssv": "delimited text",
    ".data": "data table", ".mtx": "Matrix Market matrix", ".vcf": "VCF variants",
    ".fasta": "FASTA sequences", ".fa": "FASTA sequences", ".fna": "FASTA sequences",
    ".faa": "FASTA sequences", ".fastq": "FASTQ reads", ".fq": "FASTQ reads",
    ".sam": "SAM alignments", ".bam": "BAM alignments", ".bed": "BED intervals",
    ".gff": "GFF annotations", ".gff3": "GFF annotations", ".gtf": "GTF annotations",
    ".sdf": "SDF molecules", ".mol2": "MOL2 molecules", ".xyz": "XYZ coordinates",
    ".ply": "PLY point cloud", ".pcd": "PCD point cloud", ".las": "LAS point cloud",
    ".laz": "LAZ point cloud", ".mgf": "MGF spectra", ".mzml": "mzML spectra",
    ".edf": "EDF signals", ".fits": "FITS data", ".fit": "FITS data", ".grib": "GRIB data",
    ".grib2": "GRIB data",
}

# How check-pii reads a file, by its extension (`gitworthy.pii`). A file with any other
# extension is not data to it, unless the extension is in READ_BY_CONTENT (none, or one
# that many formats share): those are judged by their bytes.
READER_KINDS: dict[str, str] = {
    ".csv": "csv", ".tsv": "csv", ".psv": "csv", ".json": "json", ".jsonl": "jsonl",
    ".ndjson": "jsonl", ".txt": "text", ".log": "text", ".parquet": "parquet", ".pq": "parquet",
    ".xlsx": "excel", ".xlsm": "excel", ".xls": "excel", ".xlsb": "excel", ".ods": "excel",
    ".ipynb": "notebook",
    ".dat": "text", ".feather": "arrow", ".arrow": "arrow", ".arrows": "arrow", ".ipc": "arrow",
    ".sqlite": "sqlite", ".sqlite3": "sqlite", ".db3": "sqlite", ".npy": "numpy",
    ".npz": "numpy", ".html": "html", ".htm": "html", ".xml": "xml", ".gz": "compressed",
    ".tgz": "compressed", ".bz2": "compressed", ".xz": "compressed", ".zst": "compressed",
    ".zstd": "compressed", ".zip": "zip", ".tar": "tar",
}
READ_BY_CONTENT = frozenset({"", ".db"})

# Extensions of code, configuration and documentation: never sniffed as text data.
SOURCE_SUFFIXES = frozenset((
    ".py", ".pyi", ".pyx", ".ipynb", ".r", ".rmd", ".qmd", ".jl", ".sh", ".bash", ".zsh",
    ".ps1", ".bat", ".cmd", ".sql", ".scala", ".java", ".kt", ".js", ".mjs", ".ts", ".tsx",
    ".jsx", ".go", ".rs", ".c", ".cc", ".cpp", ".h", ".hpp", ".m", ".do", ".sas", ".swift",
    ".rb", ".pl", ".lua", ".yaml", ".yml", ".toml", ".ini", ".cfg", ".conf", ".env", ".md",
    ".rst", ".tex", ".bib", ".html", ".htm", ".css", ".scss", ".svg", ".ipynb", ".lock",
    ".log", ".txt-template", ".in", ".properties", ".gradle", ".mk", ".cmake", ".proto",
    ".graphql", ".tf", ".hcl", ".nf", ".smk", ".wdl", ".cwl", ".pem", ".crt", ".patch",
    ".diff", ".po", ".pot", ".vue", ".php", ".cs", ".fs", ".hs", ".ex", ".exs", ".erl",
    ".clj", ".dart", ".ml", ".nim", ".zig", ".v", ".sv", ".vhd", ".asm", ".s",
))



def sniff_text_data(head: bytes) -> str | None:
    """The name of a text data format recognised from the first bytes (delimited rows, JSON
    Lines, ARFF), whatever the file is called; None for code, prose, logs and the like."""
    if is_binary(head):
        return None
    text = head.decode("utf-8", "replace")
    if len(head) >= HEAD_SAMPLE:  # the last line is cut: leave it out
        text = text[: max(text.rfind("\n"), text.rfind("\r"))]
    lines = [line for line in text.splitlines() if line.strip()]
    body = [line for line in lines if not line.startswith(("%", "#"))]
    if body and body[0].lower().startswith("@relation"):
        return "ARFF table"
    if len(lines) < 5:
        return None
    sample = lines[:200]
    if all(line.lstrip().startswith("{") and line.rstrip().endswith("}") for line in sample):
        return "JSON Lines"
    import csv

    best: tuple[int, str] | None = None
    for delimiter, name in ((",", "CSV"), ("\t", "TSV"), (";", "CSV"), ("|", "delimited text")):
        if delimiter not in sample[0]:
            continue
        try:
            counts = [len(row) for row in csv.reader(sample, delimiter=delimiter)]
        except csv.Error:
            continue
        fields = max(set(counts), key=counts.count)
        if fields >= 2 and counts.count(fields) >= 0.9 * len(counts) and (
                best is None or fields > best[0]) and _rows_hold_values(sample, delimiter):
            best = (fields, name)
    return best[1] if best else None


NUMBER = re.compile(r"^\s*[-+]?(?:\d[\d ,.:/\-]*|\.\d+)(?:[eE][-+]?\d+)?%?\s*$")


def _rows_hold_values(lines: list[str], delimiter: str) -> bool:
    """Rows of data hold numbers or dates, or short fields; prose that happens to have the
    same number of commas on every line holds neither."""
    import csv

    rows = list(csv.reader(lines[1:], delimiter=delimiter))
    if not rows:
        return False
    numeric = sum(1 for row in rows if any(NUMBER.match(f) for f in row if f))
    lengths = [len(f) for row in rows for f in row]
    return numeric >= 0.8 * len(rows) or sum(lengths) / max(1, len(lengths)) < 24


HEAD_SAMPLE = 64 * 1024


def sniff_format(head: bytes) -> tuple[str, str] | None:
    """(format name, kind) from magic bytes, or None when the bytes name no known format."""
    for name, kind, magic in MAGIC:
        if head.startswith(magic):
            return name, kind
    if head[8:12] == b"WEBP" and head.startswith(b"RIFF"):
        return "WebP image", "media"
    if head[8:12] in (b"WAVE", b"AVI ") and head.startswith(b"RIFF"):
        return ("WAV audio" if head[8:12] == b"WAVE" else "AVI video"), "media"
    if head[4:8] == b"ftyp":
        return "MP4/QuickTime video", "media"
    if head[257:262] == b"ustar":
        return "tar archive", "archive"
    return None
