"""Exits 0 when Pillow loads every file given (warnings about corrupt data allowed), else prints the error.

usage: pil_loads.py FILE...
"""
import sys
import warnings

from PIL import Image

warnings.simplefilter("ignore")
for path in sys.argv[1:]:
    with Image.open(path) as im:
        im.load()
        print(path, im.size, im.mode)
