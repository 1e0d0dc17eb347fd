using ModelZoo.Data;
using SkiaSharp;

namespace ModelZoo.Cli.Rendering;

/// <summary>Draws the "misclassified examples" figure: a grid of images, each captioned with its true and predicted label.</summary>
public static class MisclassifiedGrid
{
    /// <summary>Cell size in pixels (images are scaled to fit, nearest-neighbour for small ones so digits stay crisp).</summary>
    public const int Cell = 112;

    private const int CaptionHeight = 30;
    private const int Columns = 8;

    /// <summary>Writes the PNG; with no examples, a small image saying so.</summary>
    public static void Write(string path, IReadOnlyList<(FloatImage Image, string Line1, string Line2)> examples)
    {
        int columns = Math.Max(1, Math.Min(Columns, examples.Count));
        int rows = Math.Max(1, (examples.Count + columns - 1) / columns);
        int width = columns * Cell, height = rows * (Cell + CaptionHeight);
        using var surface = SKSurface.Create(new SKImageInfo(width, height, SKColorType.Rgba8888, SKAlphaType.Premul));
        var canvas = surface.Canvas;
        canvas.Clear(SKColors.White);
        using var font = CaptionFont();
        using var ink = new SKPaint { Color = SKColors.Black, IsAntialias = true };
        using var red = new SKPaint { Color = new SKColor(180, 0, 0), IsAntialias = true };
        if (examples.Count == 0) canvas.DrawText("no misclassified examples", 4, 20, font, ink);
        for (int i = 0; i < examples.Count; i++)
        {
            var (image, line1, line2) = examples[i];
            int x0 = i % columns * Cell, y0 = i / columns * (Cell + CaptionHeight);
            using var bitmap = ToBitmap(image);
            float scale = Math.Min((Cell - 8f) / image.Width, (Cell - 8f) / image.Height);
            float w = image.Width * scale, h = image.Height * scale;
            var dest = SKRect.Create(x0 + (Cell - w) / 2, y0 + (Cell - h) / 2, w, h);
            using var skImage = SKImage.FromBitmap(bitmap);
            var sampling = image.Width < 64 ? new SKSamplingOptions(SKFilterMode.Nearest) : new SKSamplingOptions(SKFilterMode.Linear);
            canvas.DrawImage(skImage, dest, sampling);
            canvas.DrawText(Fit(line1, font, Cell - 8), x0 + 4, y0 + Cell + 11, font, ink);
            canvas.DrawText(Fit(line2, font, Cell - 8), x0 + 4, y0 + Cell + 24, font, red);
        }
        using var snapshot = surface.Snapshot();
        using var data = snapshot.Encode(SKEncodedImageFormat.Png, 100);
        string temp = path + ".tmp";
        using (var stream = File.Create(temp)) data.SaveTo(stream);
        File.Move(temp, path, overwrite: true);
    }

    /// <summary>The caption shortened with "…" until it fits <paramref name="width"/> pixels, so it stays inside its cell.</summary>
    internal static string Fit(string text, SKFont font, float width)
    {
        if (font.MeasureText(text) <= width) return text;
        for (int n = text.Length - 1; n > 0; n--)
        {
            string shorter = text[..n].TrimEnd() + "…";
            if (font.MeasureText(shorter) <= width) return shorter;
        }
        return "…";
    }

    /// <summary>The caption font (tests measure with it).</summary>
    internal static SKFont CaptionFont() => new(SKTypeface.Default, 11);

    private static SKBitmap ToBitmap(FloatImage image)
    {
        var bitmap = new SKBitmap(image.Width, image.Height, SKColorType.Rgba8888, SKAlphaType.Opaque);
        var pixels = new byte[image.Width * image.Height * 4];
        int plane = image.Width * image.Height;
        for (int p = 0; p < plane; p++)
        {
            for (int c = 0; c < 3; c++)
            {
                float v = image.Data[(image.Channels == 1 ? 0 : c) * plane + p];
                pixels[p * 4 + c] = (byte)Math.Clamp((int)MathF.Round(v * 255f), 0, 255);
            }
            pixels[p * 4 + 3] = 255;
        }
        System.Runtime.InteropServices.Marshal.Copy(pixels, 0, bitmap.GetPixels(), pixels.Length);
        return bitmap;
    }
}
