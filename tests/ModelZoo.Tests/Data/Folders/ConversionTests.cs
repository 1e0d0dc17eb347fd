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
