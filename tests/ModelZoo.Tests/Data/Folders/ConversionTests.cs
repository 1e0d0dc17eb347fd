using ModelZoo.Data.Imaging;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.Formats.Jpeg;
using SixLabors.ImageSharp.Formats.Png;
using SixLabors.ImageSharp.Metadata.Profiles.Exif;
using SixLabors.ImageSharp.PixelFormats;

namespace ModelZoo.Tests.Data.Folders;

/// <summary>The documented colour conversion rule and the EXIF orientation policy.</summary>
public class ConversionTests
{
    private static byte[] EncodePng<TPixel>(Image<TPixel> img, PngColorType colorType, PngBitDepth depth)
        where TPixel : unmanaged, IPixel<TPixel>
    {
        using var ms = new MemoryStream();
        img.SaveAsPng(ms, new PngEncoder { ColorType = colorType, BitDepth = depth });
        return ms.ToArray();
    }

    [Test]
    public void SixteenBitPngIsRoundedTo8Bits()
    {
        using var img = new Image<Rgb48>(4, 3, new Rgb48(65535, 32896, 0));
        var f = new SafeImageDecoder().Decode(EncodePng(img, PngColorType.Rgb, PngBitDepth.Bit16), "rgb48.png");
        Assert.That(f[0, 1, 1], Is.EqualTo(1f));
        Assert.That(f[1, 1, 1], Is.EqualTo(128 / 255f).Within(1e-6));
        Assert.That(f[2, 1, 1], Is.EqualTo(0f));
    }

    /// <summary>
    /// A real photo re-encoded as a CMYK JPEG (Fixtures/images, see its README) comes out as 8-bit RGB that matches the
    /// original RGB JPEG's pixels to within JPEG re-encoding error, named with the same extension as any JPEG.
    /// </summary>
    [Test]
    public void CmykJpegComesOutAsTheSameRgbPhoto()
    {
        string cmyk = Path.Combine(TestPaths.RepoRoot, "tests", "ModelZoo.Tests", "Fixtures", "images", "n01440764_1063-cmyk.jpg");
        Assert.That(ImageTestData.JpegComponents(File.ReadAllBytes(cmyk)), Is.EqualTo(4), "the fixture really is a 4-component JPEG");
        string original = Path.Combine(ImageTestData.Imagenette, "train", "n01440764", "n01440764_1063.JPEG");
        if (!File.Exists(original)) Assert.Ignore($"{original} not found");

        var decoder = new SafeImageDecoder();
        var fromCmyk = decoder.Decode(cmyk);
        var fromRgb = decoder.Decode(original);
        Assert.That((fromCmyk.Channels, fromCmyk.Height, fromCmyk.Width), Is.EqualTo((3, fromRgb.Height, fromRgb.Width)));
        double mean = 0, worstChannelMeanShift = 0;
        for (int c = 0; c < 3; c++)
        {
            double shift = 0;
            for (int i = c * fromRgb.Height * fromRgb.Width; i < (c + 1) * fromRgb.Height * fromRgb.Width; i++)
            {
                mean += Math.Abs(fromCmyk.Data[i] - fromRgb.Data[i]);
                shift += fromCmyk.Data[i] - fromRgb.Data[i];
            }
            worstChannelMeanShift = Math.Max(worstChannelMeanShift, Math.Abs(shift / (fromRgb.Height * fromRgb.Width)));
        }
        mean /= fromRgb.Data.Length;
        // An inverted or channel-swapped conversion is off by tens of levels; re-encoding costs about one level.
        Assert.That(mean * 255, Is.LessThan(3), "mean absolute difference, in 8-bit levels");
        Assert.That(worstChannelMeanShift * 255, Is.LessThan(1.5), "no channel is shifted as a whole");

        var grey = new SafeImageDecoder(new ImageDecodeOptions(1)).Decode(cmyk);
        Assert.That(grey.Channels, Is.EqualTo(1), "1-channel models get BT.601 luma of the converted RGB");
    }

    [Test]
    public void AlphaIsDroppedNotComposited()
    {
        using var img = new Image<Rgba32>(4, 3, new Rgba32(200, 100, 50, 0));
        var f = new SafeImageDecoder().Decode(EncodePng(img, PngColorType.RgbWithAlpha, PngBitDepth.Bit8), "rgba.png");
        Assert.That((f.Channels, f[0, 0, 0], f[1, 0, 0], f[2, 0, 0]), Is.EqualTo((3, 200 / 255f, 100 / 255f, 50 / 255f)));
    }

    [Test]
    public void PaletteAndGreyAlphaPngsExpand()
    {
        using var img = new Image<Rgba32>(8, 8, new Rgba32(255, 0, 0, 255));
        img[3, 3] = new Rgba32(0, 0, 255, 255);
        var pal = new SafeImageDecoder().Decode(EncodePng(img, PngColorType.Palette, PngBitDepth.Bit8), "palette.png");
        Assert.That((pal[0, 0, 0], pal[2, 0, 0], pal[2, 3, 3]), Is.EqualTo((1f, 0f, 1f)));

        using var grey = new Image<La16>(4, 4, new La16(77, 10));
        var ga = new SafeImageDecoder().Decode(EncodePng(grey, PngColorType.GrayscaleWithAlpha, PngBitDepth.Bit8), "la.png");
        Assert.That((ga[0, 1, 1], ga[1, 1, 1], ga[2, 1, 1]), Is.EqualTo((77 / 255f, 77 / 255f, 77 / 255f)));
        var one = new SafeImageDecoder(new ImageDecodeOptions(1)).Decode(EncodePng(grey, PngColorType.GrayscaleWithAlpha, PngBitDepth.Bit8), "la.png");
        Assert.That(one[0, 1, 1], Is.EqualTo(77 / 255f));
    }

    [Test]
    public void OneChannelUsesBt601Luma()
    {
        using var img = new Image<Rgb24>(2, 2, new Rgb24(255, 0, 0));
        var f = new SafeImageDecoder(new ImageDecodeOptions(1)).Decode(EncodePng(img, PngColorType.Rgb, PngBitDepth.Bit8), "red.png");
        Assert.That(f[0, 0, 0], Is.EqualTo(76 / 255f), "round(0.299 * 255) = 76");
    }

    [Test]
    public void ExifOrientationIgnoredByDefaultAppliedOnRequest()
    {
        using var img = new Image<Rgb24>(24, 16, new Rgb24(0, 128, 0));
        img.Metadata.ExifProfile = new ExifProfile();
        img.Metadata.ExifProfile.SetValue(ExifTag.Orientation, (ushort)6); // rotate 90° clockwise to display
        using var ms = new MemoryStream();
        img.SaveAsJpeg(ms, new JpegEncoder { Quality = 90 });
        byte[] jpeg = ms.ToArray();

        var plain = new SafeImageDecoder().Decode(jpeg, "exif.jpg");
        Assert.That((plain.Height, plain.Width), Is.EqualTo((16, 24)));
        var upright = new SafeImageDecoder(new ImageDecodeOptions { AutoOrient = true }).Decode(jpeg, "exif.jpg");
        Assert.That((upright.Height, upright.Width), Is.EqualTo((24, 16)));
    }
}
