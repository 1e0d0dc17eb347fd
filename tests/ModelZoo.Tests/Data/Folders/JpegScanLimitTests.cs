using System.Diagnostics;
using ModelZoo.Data.Imaging;
using ModelZoo.Tests.Weights;

namespace ModelZoo.Tests.Data.Folders;

/// <summary>
/// Issue 27, item 6: a JPEG that repeats a scan thousands of times costs a pass over the image per scan in any
/// decoder (245 s of CPU for one 1.27 MB CMYK file in <c>predict</c>, which ImageSharp decodes). The scans are counted
/// before a decoder is chosen, so the file is refused in milliseconds with a <see cref="BadImageException"/> naming it,
/// on every path: CMYK (ImageSharp under Auto), ImageSharp forced, and libjpeg-turbo.
/// </summary>
public class JpegScanLimitTests
{
    private static readonly string CmykFixture = Path.Combine(TestPaths.RepoRoot, "tests", "ModelZoo.Tests", "Fixtures", "images", "n01440764_1063-cmyk.jpg");

    /// <summary>A real file with <paramref name="extraScans"/> copies of a 14-byte scan (header plus two bytes of data) before its end marker.</summary>
    private static string WithExtraScans(string name, byte[] jpeg, int extraScans)
    {
        byte[] scan = [0xFF, 0xDA, 0x00, 0x08, 0x01, 0x01, 0x00, 0x00, 0x3F, 0x00, 0x00, 0x00];
        int end = jpeg.AsSpan().LastIndexOf((ReadOnlySpan<byte>)[0xFF, 0xD9]);
        string path = Path.Combine(ImageTestData.TempDir("scans"), name);
        using var f = File.Create(path);
        f.Write(jpeg, 0, end);
        for (int i = 0; i < extraScans; i++) f.Write(scan);
        f.Write(jpeg, end, jpeg.Length - end);
        return path;
    }

    private static void AssertRefusedFast(SafeImageDecoder decoder, string path)
    {
        var watch = Stopwatch.StartNew();
        var e = Assert.Throws<BadImageException>(() => decoder.Decode(path))!;
        Assert.That(watch.Elapsed, Is.LessThan(TimeSpan.FromSeconds(5)));
        Assert.That(e.Path, Is.EqualTo(path));
        Assert.That(e.Message, Does.Contain(path).And.Contain("more than 500 scans"));
        Assert.Throws<BadImageException>(() => decoder.Inspect(path), "the preflight (load-time check) refuses it too");
    }

    [Test]
    public void ACmykJpegWithTwentyThousandScansIsRefusedBeforeImageSharpDecodesIt()
    {
        string path = WithExtraScans("cmyk-scans.jpg", File.ReadAllBytes(CmykFixture), 20_000);
        using var decoder = new SafeImageDecoder();
        AssertRefusedFast(decoder, path);
        using var managed = new SafeImageDecoder(new ImageDecodeOptions { Jpeg = JpegBackend.ImageSharp });
        AssertRefusedFast(managed, path);
    }

    [Test]
    public void TheCountIsExactUpToTheLimitAndTheLimitIsAnOption()
    {
        byte[] fixture = File.ReadAllBytes(CmykFixture);
        int own = SafeImageDecoder.CountJpegScans(fixture);
        Assert.That(own, Is.GreaterThanOrEqualTo(1));
        string path = WithExtraScans("cmyk-500.jpg", fixture, 500 - own);
        Assert.That(SafeImageDecoder.CountJpegScans(File.ReadAllBytes(path)), Is.EqualTo(500));
        Assert.That(SafeImageDecoder.CountJpegScans(File.ReadAllBytes(path), stopAt: 10), Is.EqualTo(10));
        using var decoder = new SafeImageDecoder();
        Assert.DoesNotThrow(() => decoder.Inspect(path), "500 scans is within the limit");
        string over = WithExtraScans("cmyk-501.jpg", fixture, 501 - own);
        Assert.That(Assert.Throws<BadImageException>(() => decoder.Inspect(over))!.Message, Does.Contain("more than 500 scans"));
        using var strict = new SafeImageDecoder(new ImageDecodeOptions { MaxJpegScans = own });
        Assert.DoesNotThrow(() => strict.Decode(CmykFixture));
        Assert.That(Assert.Throws<BadImageException>(() => strict.Inspect(WithExtraScans("one-more.jpg", fixture, 1)))!.Message,
            Does.Contain($"more than {own} scans"));
    }

    [Test]
    public void ARealProgressiveCmykJpegWithItsLastScanRepeatedIsRefused()
    {
        // PIL (libjpeg-turbo) writes the progressive file; its last scan is then repeated 20,000 times, as in the issue.
        string dir = ImageTestData.TempDir("scan-bomb");
        TorchReference.RunScript("make_scan_bomb.py", dir, "20000");
        string plain = Path.Combine(dir, "progressive-cmyk.jpg"), bomb = Path.Combine(dir, "scan-bomb.jpg");
        using var decoder = new SafeImageDecoder();
        var image = decoder.Decode(plain);
        Assert.That((image.Channels, image.Height, image.Width), Is.EqualTo((3, 256, 256)), "the plain progressive CMYK file decodes");
        Assert.That(SafeImageDecoder.CountJpegScans(File.ReadAllBytes(bomb)), Is.GreaterThan(20_000));
        AssertRefusedFast(decoder, bomb);
    }
}
