"""Write the site icon (static/img/favicon.ico): a white 公 on the portal's blue.

A plain glyph, not the center's emblem: the portal has no official artwork, and an
icon that imitates one would mislead. Run it again only to change the icon, then
commit the result (the portal serves the committed file; Pillow is not needed at run time).
"""

from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from PIL import Image, ImageDraw, ImageFont

ICON_PATH = Path(settings.BASE_DIR) / "static" / "img" / "favicon.ico"
BLUE = "#1d5fa8"  # --blue in static/css/portal.css
GLYPH = "公"
SIZES = [(16, 16), (32, 32), (48, 48), (64, 64)]
# CJK fonts found on Debian and macOS; --font names another.
FONTS = [
    "/usr/share/fonts/opentype/noto/NotoSansCJK-Bold.ttc",
    "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc",
    "/System/Library/Fonts/PingFang.ttc",
]


class Command(BaseCommand):
    help = "Generate static/img/favicon.ico, a white 公 on the portal's blue (commit the result)."

    def add_arguments(self, parser):
        parser.add_argument("--font", help="a font file with the glyph 公 (default: the first CJK font found)")

    def handle(self, *args, font=None, **options):
        path = font or next((candidate for candidate in FONTS if Path(candidate).exists()), None)
        if path is None:
            raise CommandError("没有找到中文字体,请用 --font 指定字体文件。")
        # Drawn large and scaled down, so the small sizes are smooth; the stroke keeps
        # the glyph legible at 16 px.
        side = 256
        image = Image.new("RGBA", (side, side), (0, 0, 0, 0))
        draw = ImageDraw.Draw(image)
        draw.rounded_rectangle((0, 0, side - 1, side - 1), radius=side // 6, fill=BLUE)
        glyph_font = ImageFont.truetype(path, int(side * 0.72))
        stroke = side // 40
        draw.text(
            (side / 2, side / 2),
            GLYPH,
            font=glyph_font,
            anchor="mm",
            fill="white",
            stroke_width=stroke,
            stroke_fill="white",
        )
        ICON_PATH.parent.mkdir(parents=True, exist_ok=True)
        image.save(ICON_PATH, format="ICO", sizes=SIZES)
        self.stdout.write(f"{ICON_PATH} ({ICON_PATH.stat().st_size} bytes, font {path})")
