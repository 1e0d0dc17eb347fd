using System.Diagnostics;
using ModelZoo.Data.Imaging;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.Formats.Bmp;
using SixLabors.ImageSharp.Formats.Gif;
using SixLabors.ImageSharp.Formats.Png;
using SixLabors.ImageSharp.Formats.Tiff;
using SixLabors.ImageSharp.PixelFormats;

namespace ModelZoo.Tests.Data.Folders;

/// <summary>Each bad input is a typed <see cref="BadImageException"/> within 2 s and 200 MB of allocation.</summary>
public class BadImageTests
{
    private const long MemoryBudget = 200L * 1024 * 1024;
    private static readonly TimeSpan TimeBudget = TimeSpan.FromSeconds(2);

    private string _dir = "";

    [OneTimeSetUp]
    public void SetUp() => _dir = ImageTestData.TempDir("bad-images");

    [OneTimeTearDown]
    public void TearDown()
    {
        try { Directory.Delete(_dir, true); } catch (IOException) { }
    }

    private string Write(string name, byte[] bytes)
    {
        string path = Path.Combine(_dir, name);
        File.WriteAllBytes(path, bytes);
        return path;
    }

    /// <summary>Decodes, expecting rejection; asserts the budget and that the reason contains <paramref name="reasonPart"/>.</summary>
    private static BadImageException ExpectBad(string path, string reasonPart, ImageDecodeOptions? options = null)
    {
        using var decoder = new SafeImageDecoder(options);
        GC.Collect();
        long before = GC.GetTotalAllocatedBytes(true);
        long rssBefore = Process.GetCurrentProcess().WorkingSet64;
        var sw = Stopwatch.StartNew();
        var ex = Assert.Throws<BadImageException>(() => decoder.Decode(path))!;
        sw.Stop();
        long allocated = GC.GetTotalAllocatedBytes(true) - before;
        long rss = Process.GetCurrentProcess().WorkingSet64 - rssBefore;
        Assert.Multiple(() =>
        {
            Assert.That(ex.Path, Is.EqualTo(path));
            Assert.That(ex.Message, Does.Contain(path));
            Assert.That(ex.Reason, Does.Contain(reasonPart).IgnoreCase);
            Assert.That(sw.Elapsed, Is.LessThan(TimeBudget), "time budget");
            Assert.That(allocated, Is.LessThan(MemoryBudget), "managed allocation budget");
            Assert.That(rss, Is.LessThan(MemoryBudget), "RSS growth budget");
        });
        return ex;
    }

    [Test]
    public void ZeroByteFileIsRejected() => ExpectBad(Write("empty.jpg", []), "empty file");

    [Test]
    public void TextFileNamedJpgIsRejected() =>
        ExpectBad(Write("notes.jpg", "just some text\nnot an image\n"u8.ToArray()), "text file");

    [Test]
    public void HtmlFileNamedJpgIsRejected() =>
        ExpectBad(Write("error-page.jpg", "<!DOCTYPE html><html><body>403 Forbidden</body></html>"u8.ToArray()), "HTML");

    [Test]
    public void PngDeclaring65535SquareIsRejectedBeforeDecoding() =>
        ExpectBad(Write("huge.png", ImageTestData.Png(65535, 65535, 8, 2, ImageTestData.ZlibZeros(1024))), "over the limit");

    [Test]
    public void OneBy50MillionPngIsRejected() =>
        ExpectBad(Write("strip.png", ImageTestData.Png(50_000_000, 1, 8, 0, ImageTestData.ZlibZeros(1024))), "over the limit");

    [Test]
    public void DecompressionBombIsRejected()
    {
        // 20000 x 20000 1-bit grey: 50 MB of zero scanlines in a ~50 KB file; decoded to RGB floats it would be 4.8 GB.
        byte[] bomb = ImageTestData.Png(20000, 20000, 1, 0, ImageTestData.ZlibZeros(20000L * (1 + 2500)));
        Assert.That(bomb.Length, Is.LessThan(1_000_000));
        ExpectBad(Write("bomb.png", bomb), "over the limit");
    }

    [Test]
    public void BombWithinSideLimitsIsRejectedByPixelCount()
    {
        // 9000 x 9000 = 81 Mpx: each side is allowed, the pixel count is not.
        byte[] bomb = ImageTestData.Png(9000, 9000, 1, 0, ImageTestData.ZlibZeros(9000L * (1 + 1125)));
        ExpectBad(Write("bomb2.png", bomb), "pixels");
    }

    [Test]
    public void ExtremeAspectRatioIsRejected() =>
        ExpectBad(Write("thin.png", ImageTestData.Png(10000, 20, 8, 0, ImageTestData.ZlibZeros(20 * 10001))), "aspect ratio");

    [Test]
    public void TruncatedJpegIsRejected()
    {
        byte[] real = File.ReadAllBytes(ImageTestData.RealJpegs()[0]);
        ExpectBad(Write("cut.jpg", real[..(real.Length * 6 / 10)]), "truncated JPEG");
    }

    [Test]
    public void TruncatedPngIsRejected()
    {
        using var ms = new MemoryStream();
        using (var img = Image.Load<Rgb24>(ImageTestData.RealJpegs()[1])) img.SaveAsPng(ms);
        byte[] png = ms.ToArray();
        ExpectBad(Write("cut.png", png[..(png.Length * 6 / 10)]), "truncated PNG");
    }

    [Test]
    public void BmpIsRejectedWhenNotEnabledAndDecodedWhenEnabled()
    {
        string path = Write("real.bmp", Encode(new BmpEncoder()));
        ExpectBad(path, "format BMP not enabled");
        using var decoder = new SafeImageDecoder(new ImageDecodeOptions { Formats = ImageFormats.Default | ImageFormats.Bmp });
        var img = decoder.Decode(path);
        Assert.That((img.Channels, img.Height, img.Width), Is.EqualTo((3, 16, 24)));
    }

    [Test]
    public void TiffIsRejectedWhenNotEnabled() => ExpectBad(Write("real.tiff", Encode(new TiffEncoder())), "format TIFF not enabled");

    [Test]
    public void PngNamedJpegIsDecodedByContent()
    {
        string path = Write("really-a-png.JPEG", Encode(new PngEncoder()));
        using var decoder = new SafeImageDecoder();
        Assert.That(decoder.Inspect(path).Format, Is.EqualTo(ImageFormats.Png));
        Assert.That(decoder.Decode(path).Width, Is.EqualTo(24));
    }

    [Test]
    public void AnimatedGifIsRejectedWhenOffAndFirstFrameOnlyWhenOn()
    {
        using var ms = new MemoryStream();
        using (var gif = new Image<Rgb24>(32, 32, new Rgb24(255, 0, 0)))
        {
            for (int i = 1; i < 400; i++)
            {
                using var frame = new Image<Rgb24>(32, 32, new Rgb24((byte)i, 0, 255));
                gif.Frames.AddFrame(frame.Frames.RootFrame);
            }

            gif.SaveAsGif(ms, new GifEncoder());
        }

        string path = Write("animated.gif", ms.ToArray());
        ExpectBad(path, "format GIF not enabled");

        using var decoder = new SafeImageDecoder(new ImageDecodeOptions { Formats = ImageFormats.Default | ImageFormats.Gif });
        long before = GC.GetTotalAllocatedBytes(true);
        var sw = Stopwatch.StartNew();
        var img = decoder.Decode(path);
        sw.Stop();
        Assert.Multiple(() =>
        {
            Assert.That((img.Channels, img.Height, img.Width), Is.EqualTo((3, 32, 32)));
            Assert.That(img[0, 5, 5], Is.EqualTo(1f).Within(0.02), "first frame is red");
            Assert.That(img[2, 5, 5], Is.EqualTo(0f).Within(0.02));
            Assert.That(sw.Elapsed, Is.LessThan(TimeBudget));
            Assert.That(GC.GetTotalAllocatedBytes(true) - before, Is.LessThan(MemoryBudget));
        });
    }

    [Test]
    public void MissingFileIsTyped() => ExpectBad(Path.Combine(_dir, "does-not-exist.jpg"), "cannot read");

    [Test]
    public void GoodJpegStillDecodesWithinBudget()
    {
        string path = ImageTestData.RealJpegs()[0];
        using var decoder = new SafeImageDecoder();
        var sw = Stopwatch.StartNew();
        var img = decoder.Decode(path);
        Assert.That(sw.Elapsed, Is.LessThan(TimeBudget));
        Assert.That((img.Channels, img.Height, img.Width), Is.EqualTo((3, 224, 224)));
        Assert.That(img.Data.All(v => v is >= 0 and <= 1), Is.True);
    }

    private static byte[] Encode(SixLabors.ImageSharp.Formats.IImageEncoder encoder)
    {
        using var img = new Image<Rgb24>(24, 16, new Rgb24(10, 200, 30));
        using var ms = new MemoryStream();
        img.Save(ms, encoder);
        return ms.ToArray();
    }
}
