"""Reading the PDFs the app makes, with poppler's tools (installed by .ci/run)."""
import re
import subprocess
import tempfile


def _run(tool: list[str], data: bytes) -> str:
    with tempfile.NamedTemporaryFile(suffix=".pdf") as fh:
        fh.write(data)
        fh.flush()
        return subprocess.run([*tool, fh.name, *(["-"] if tool[0] == "pdftotext" else [])],
                              capture_output=True, text=True, check=True).stdout


def text(data: bytes) -> str:
    return _run(["pdftotext", "-layout"], data)


def pages(data: bytes) -> int:
    return int(re.search(r"^Pages:\s+(\d+)", _run(["pdfinfo"], data), re.M).group(1))


def images(data: bytes) -> int:
    """How many images the PDF draws (signatures, logo)."""
    lines = _run(["pdfimages", "-list"], data).splitlines()
    return sum(1 for line in lines[2:] if line.split() and line.split()[2] == "image")
