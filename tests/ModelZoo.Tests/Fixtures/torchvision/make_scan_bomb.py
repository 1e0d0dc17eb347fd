"""Writes a small progressive CMYK JPEG made by PIL (libjpeg-turbo), and the same file with its last scan repeated.

usage: make_scan_bomb.py OUT_DIR REPEATS
writes OUT_DIR/progressive-cmyk.jpg (the plain file) and OUT_DIR/scan-bomb.jpg (the last scan REPEATS times more).
"""
import io
import os
import sys

import numpy as np
from PIL import Image

out, repeats = sys.argv[1], int(sys.argv[2])
x = np.linspace(0, 255, 256).astype(np.uint8)
cmyk = np.stack([np.tile(x, (256, 1)), np.tile(x[:, None], (1, 256)),
                 np.full((256, 256), 80, np.uint8), np.full((256, 256), 20, np.uint8)], -1)
buf = io.BytesIO()
Image.fromarray(cmyk, "CMYK").save(buf, "JPEG", progressive=True, quality=90)
data = buf.getvalue()
last_scan, end = data.rfind(b"\xff\xda"), data.rfind(b"\xff\xd9")
with open(os.path.join(out, "progressive-cmyk.jpg"), "wb") as f:
    f.write(data)
with open(os.path.join(out, "scan-bomb.jpg"), "wb") as f:
    f.write(data[:end] + data[last_scan:end] * repeats + data[end:])
