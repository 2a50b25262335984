"""The Pillow peer of the aws_vision bench: annotate a JPEG with boxes and labels, encode it.

Usage: python3 aws_vision_pillow.py IMAGE.jpg BOXES.json ITERATIONS

BOXES.json is a list of [left, top, width, height, label] with fractions of the image, as the
Rust side draws them. Each iteration decodes the JPEG, converts it to RGB, draws every box
(3-pixel outline) and a filled label background with the label in Pillow's built-in bitmap
font, and saves a JPEG at quality 75 (Pillow's default) to memory. Prints, as one JSON object
on stdout, the median nanoseconds per iteration (`total`) and of each phase timed apart
(`decode`, `draw`, `encode`).
"""

import io
import json
import statistics
import sys
import time

from PIL import Image, ImageDraw, ImageFont


def decode(data):
    return Image.open(io.BytesIO(data)).convert("RGB")


def draw_boxes(image, boxes, font):
    width, height = image.size
    draw = ImageDraw.Draw(image)
    for left, top, box_width, box_height, label in boxes:
        x0, y0 = round(left * width), round(top * height)
        x1, y1 = round((left + box_width) * width), round((top + box_height) * height)
        draw.rectangle((x0, y0, x1 - 1, y1 - 1), outline=(255, 255, 0), width=3)
        text_box = draw.textbbox((x0 + 2, 0), label, font=font)
        label_height = text_box[3] - text_box[1] + 4
        label_top = y0 - label_height if y0 >= label_height else y0 + 3
        draw.rectangle((x0, label_top, text_box[2] + 2, label_top + label_height), fill=(255, 255, 0))
        draw.text((x0 + 2, label_top + 2), label, fill=(0, 0, 0), font=font)


def encode(image):
    out = io.BytesIO()
    image.save(out, format="JPEG", quality=75)
    return out.getvalue()


def annotate(data, boxes, font):
    image = decode(data)
    draw_boxes(image, boxes, font)
    return encode(image)


def median_ns(job, iterations):
    samples = []
    for _ in range(iterations):
        start = time.perf_counter_ns()
        job()
        samples.append(time.perf_counter_ns() - start)
    return int(statistics.median(samples))


def main():
    image_path, boxes_path, iterations = sys.argv[1], sys.argv[2], int(sys.argv[3])
    with open(image_path, "rb") as file:
        data = file.read()
    with open(boxes_path) as file:
        boxes = json.load(file)
    # the bitmap font: the closest to the bench's built-in 5x7 font, and the cheapest to draw
    font = ImageFont.load_default_imagefont() if hasattr(ImageFont, "load_default_imagefont") else ImageFont.load_default()
    for _ in range(3):
        annotate(data, boxes, font)
    total = median_ns(lambda: annotate(data, boxes, font), iterations)
    decoded = decode(data)
    phases = {
        "decode": median_ns(lambda: decode(data), iterations),
        "draw": median_ns(lambda: draw_boxes(decoded.copy(), boxes, font), iterations)
        - median_ns(decoded.copy, iterations),
        "encode": median_ns(lambda: encode(decoded), iterations),
    }
    print(json.dumps({"total": total, **phases}))


if __name__ == "__main__":
    main()
