"""Writes PIL's RGB decode of each JPEG as raw bytes (OUT/<i>.rgb, row-major, 3 bytes per pixel).

The reference for the libjpeg-turbo path of SafeImageDecoder: torchvision's ImageFolder decodes with
PIL's Image.open(path).convert("RGB"). Usage: pil_decode.py OUT_DIR FILE [FILE ...]
"""
import os
import sys

from PIL import Image

out = sys.argv[1]
os.makedirs(out, exist_ok=True)
for i, path in enumerate(sys.argv[2:]):
    with Image.open(path) as img:
        rgb = img.convert("RGB")
        with open(os.path.join(out, f"{i}.rgb"), "wb") as f:
            f.write(rgb.tobytes())
        print(path, rgb.size)
