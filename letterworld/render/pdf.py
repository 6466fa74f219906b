"""A minimal streaming PDF writer: one full-page image per page.

Pillow can write multi-page PDFs, but it holds every page in memory first;
an A3 page at 300 dpi is 52 MB of pixels, so pages are written here one at a
time as JPEG (DCTDecode, quality 95, no chroma subsampling: crisp text at
300 dpi). Glyphs are already rasterised by the slide renderer, so the PDF is
right in every script without embedding fonts.
"""

from __future__ import annotations

import io
from pathlib import Path

from PIL import Image


def _pdf_text(s: str) -> bytes:
    """A PDF text string: ASCII literal or UTF-16BE hex with BOM."""
    if all(32 <= ord(ch) < 127 and ch not in "()\\" for ch in s):
        return b"(" + s.encode("ascii") + b")"
    return b"<FEFF" + s.encode("utf-16-be").hex().upper().encode("ascii") + b">"


class PdfWriter:
    def __init__(self, path: str | Path, dpi: int = 300, title: str = "", quality: int = 95):
        self.path, self.dpi, self.title, self.quality = Path(path), dpi, title, quality
        self.fh = self.path.open("wb")
        self.offsets: dict[int, int] = {}
        self.pages: list[int] = []
        self.next_id = 4  # 1 catalog, 2 pages, 3 info
        self.fh.write(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")

    def _obj(self, num: int, body: bytes, stream: bytes | None = None) -> None:
        self.offsets[num] = self.fh.tell()
        self.fh.write(f"{num} 0 obj\n".encode() + body)
        if stream is not None:
            self.fh.write(b"\nstream\n" + stream + b"\nendstream")
        self.fh.write(b"\nendobj\n")

    def _id(self) -> int:
        self.next_id += 1
        return self.next_id - 1

    def add_page(self, img: Image.Image) -> None:
        """Append ``img`` as a page of its size at ``dpi``."""
        buf = io.BytesIO()
        img.convert("RGB").save(buf, format="JPEG", quality=self.quality, subsampling=0)
        data = buf.getvalue()
        w_pt, h_pt = img.width * 72 / self.dpi, img.height * 72 / self.dpi
        im_id, content_id, page_id = self._id(), self._id(), self._id()
        self._obj(im_id, (f"<< /Type /XObject /Subtype /Image /Width {img.width} /Height {img.height} "
                          f"/ColorSpace /DeviceRGB /BitsPerComponent 8 /Filter /DCTDecode /Length {len(data)} >>"
                          ).encode(), data)
        content = f"q {w_pt:.4f} 0 0 {h_pt:.4f} 0 0 cm /Im0 Do Q".encode()
        self._obj(content_id, f"<< /Length {len(content)} >>".encode(), content)
        self._obj(page_id, (f"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 {w_pt:.4f} {h_pt:.4f}] "
                            f"/Resources << /XObject << /Im0 {im_id} 0 R >> >> /Contents {content_id} 0 R >>"
                            ).encode())
        self.pages.append(page_id)

    def close(self) -> None:
        kids = " ".join(f"{p} 0 R" for p in self.pages)
        self._obj(2, f"<< /Type /Pages /Kids [{kids}] /Count {len(self.pages)} >>".encode())
        self._obj(1, b"<< /Type /Catalog /Pages 2 0 R >>")
        self._obj(3, b"<< /Title " + _pdf_text(self.title) + b" /Producer (letterworld) >>")
        xref = self.fh.tell()
        n = self.next_id
        self.fh.write(f"xref\n0 {n}\n0000000000 65535 f \n".encode())
        for i in range(1, n):
            self.fh.write(f"{self.offsets.get(i, 0):010d} 00000 {'n' if i in self.offsets else 'f'} \n".encode())
        self.fh.write(f"trailer\n<< /Size {n} /Root 1 0 R /Info 3 0 R >>\nstartxref\n{xref}\n%%EOF\n".encode())
        self.fh.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        if exc[0] is None:
            self.close()
        else:
            self.fh.close()
            self.path.unlink(missing_ok=True)
