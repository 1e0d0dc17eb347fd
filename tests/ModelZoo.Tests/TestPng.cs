using ModelZoo.Data;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.PixelFormats;

namespace ModelZoo.Tests;

/// <summary>Writes FloatImages as PNG files for tests that need real image files.</summary>
internal static class TestPng
{
    public static void WriteGrey(string path, FloatImage image)
    {
        using var png = new Image<L8>(image.Width, image.Height);
        for (int y = 0; y < image.Height; y++)
            for (int x = 0; x < image.Width; x++)
                png[x, y] = new L8((byte)Math.Clamp((int)MathF.Round(image[0, y, x] * 255f), 0, 255));
        png.SaveAsPng(path);
    }
}
