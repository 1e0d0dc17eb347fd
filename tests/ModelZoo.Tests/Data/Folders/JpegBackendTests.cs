using ModelZoo.Data;
using ModelZoo.Data.Imaging;
using ModelZoo.Tests.Weights;

namespace ModelZoo.Tests.Data.Folders;

/// <summary>
/// The two JPEG decoders behind <see cref="SafeImageDecoder"/>: the system's libjpeg-turbo (used when installed) gives
/// PIL's pixels exactly, ImageSharp the same photo within a couple of levels on average; the safety checks and typed errors hold on
/// both. libjpeg-turbo tests are skipped where Debian's <c>libturbojpeg0</c> is missing, unless
/// <c>MODELZOO_REQUIRE_TURBOJPEG=1</c> (set by .ci/run, which installs it) makes that a failure.
/// </summary>
public class JpegBackendTests
{
    private static readonly ImageDecodeOptions Turbo = new() { Jpeg = JpegBackend.LibJpegTurbo };
    private static readonly ImageDecodeOptions Managed = new() { Jpeg = JpegBackend.ImageSharp };

    private static void RequireTurbo()
    {
        if (SafeImageDecoder.LibJpegTurboAvailable) return;
        const string why = "libturbojpeg.so.0 not loadable (apt-get install libturbojpeg0)";
        if (Environment.GetEnvironmentVariable("MODELZOO_REQUIRE_TURBOJPEG") == "1") Assert.Fail(why);
        Assert.Ignore(why + "; the libjpeg-turbo tests were skipped");
    }

    private static string[] RealJpegs(int count)
    {
        string root = TestPaths.Imagenette;
        return Directory.GetDirectories(Path.Combine(root, "train")).Concat(Directory.GetDirectories(Path.Combine(root, "val")))
            .Order(StringComparer.Ordinal)
            .Select(d => Directory.GetFiles(d).Order(StringComparer.Ordinal).First())
            .Take(count).ToArray();
    }

    private static byte[] Levels(FloatImage image)
    {
        // Back to the decoder's 8-bit RGB, interleaved like PIL's tobytes().
        int n = image.Height * image.Width;
        var bytes = new byte[3 * n];
        for (int c = 0; c < 3; c++)
            for (int i = 0; i < n; i++)
                bytes[3 * i + c] = (byte)Math.Round(image.Data[c * n + i] * 255f);
        return bytes;
    }

    [Test]
    public void AutoPicksLibJpegTurboWhenInstalledAndImageSharpOnRequest()
    {
        using var managed = new SafeImageDecoder(Managed);
        Assert.That(managed.ActiveJpegBackend, Is.EqualTo(JpegBackend.ImageSharp));
        RequireTurbo();
        using var auto = new SafeImageDecoder();
        Assert.That(auto.ActiveJpegBackend, Is.EqualTo(JpegBackend.LibJpegTurbo));
        using var noJpeg = new SafeImageDecoder(new ImageDecodeOptions { Formats = ImageFormats.Png });
        Assert.That(noJpeg.ActiveJpegBackend, Is.EqualTo(JpegBackend.ImageSharp), "JPEG not enabled: no libjpeg-turbo either");
    }

    /// <summary>torchvision's ImageFolder decodes with PIL, which uses libjpeg-turbo with the same settings.</summary>
    [Test]
    public void LibJpegTurboGivesPilsPixelsExactly()
    {
        RequireTurbo();
        string[] files = RealJpegs(12);
        string outDir = Path.Combine(Path.GetTempPath(), "modelzoo-pil-decode-" + Guid.NewGuid().ToString("N"));
        try
        {
            TorchReference.RunScript("pil_decode.py", [outDir, .. files]);
            using var decoder = new SafeImageDecoder(Turbo);
            for (int i = 0; i < files.Length; i++)
            {
                byte[] pil = File.ReadAllBytes(Path.Combine(outDir, $"{i}.rgb"));
                byte[] ours = Levels(decoder.Decode(files[i]));
                Assert.That(ours.Length, Is.EqualTo(pil.Length), files[i]);
                int differing = ours.Where((b, k) => b != pil[k]).Count();
                Assert.That(differing, Is.EqualTo(0), $"{files[i]}: {differing} of {pil.Length} bytes differ from PIL's decode");
            }
        }
        finally
        {
            if (Directory.Exists(outDir)) Directory.Delete(outDir, recursive: true);
        }
    }

    [Test]
    public void BothDecodersSeeTheSamePhoto()
    {
        RequireTurbo();
        using var turbo = new SafeImageDecoder(Turbo);
        using var managed = new SafeImageDecoder(Managed);
        foreach (string file in RealJpegs(6))
        {
            var a = turbo.Decode(file);
            var b = managed.Decode(file);
            Assert.That((a.Channels, a.Height, a.Width), Is.EqualTo((b.Channels, b.Height, b.Width)), file);
            double mean = a.Data.Zip(b.Data, (x, y) => Math.Abs(x - y)).Average() * 255;
            // The two IDCTs and upsamplers round differently; a wrong colour conversion is tens of levels off.
            Assert.That(mean, Is.LessThan(3), $"{file}: mean absolute difference in 8-bit levels");
        }
    }

    [Test]
    public void OneChannelOutputIsTheLumaOfTheRgbDecode()
    {
        RequireTurbo();
        string file = RealJpegs(1)[0];
        using var rgb = new SafeImageDecoder(Turbo);
        using var grey = new SafeImageDecoder(Turbo with { Channels = 1 });
        byte[] levels = Levels(rgb.Decode(file));
        var g = grey.Decode(file);
        Assert.That(g.Channels, Is.EqualTo(1));
        for (int i = 0; i < g.Data.Length; i += 97)
        {
            int luma = (levels[3 * i] * 19595 + levels[3 * i + 1] * 38470 + levels[3 * i + 2] * 7471 + 0x8000) >> 16;
            Assert.That(g.Data[i], Is.EqualTo(luma / 255f).Within(1e-7), $"pixel {i}");
        }
    }

    /// <summary>Scan data damaged in the middle (markers intact, so the truncation check passes) is refused by name.</summary>
    [Test]
    public void CorruptScanDataIsATypedErrorNamingTheFile()
    {
        RequireTurbo();
        string file = RealJpegs(1)[0];
        byte[] bytes = File.ReadAllBytes(file);
        int sos = bytes.AsSpan().LastIndexOf((ReadOnlySpan<byte>)[0xFF, 0xDA]);
        int from = sos + (bytes.Length - sos) / 3;
        for (int i = from; i < from + 64; i++) bytes[i] = 0xFF;
        bytes[from + 64] = 0xD3; // FF D3: a restart marker in a file that declares no restart interval
        using var decoder = new SafeImageDecoder(Turbo);
        var ex = Assert.Throws<BadImageException>(() => decoder.Decode(bytes, "damaged.jpg"));
        Assert.That(ex!.Path, Is.EqualTo("damaged.jpg"));
        Assert.That(ex.Message, Does.Contain("damaged.jpg").And.Contain("libjpeg-turbo"));
    }

    /// <summary>The size limits are read from libjpeg-turbo's header and enforced before any pixel is decoded.</summary>
    [Test]
    public void SizeLimitsHoldOnTheLibJpegTurboPath()
    {
        RequireTurbo();
        string file = RealJpegs(1)[0];
        using var decoder = new SafeImageDecoder(Turbo with { MaxWidth = 100 });
        var ex = Assert.Throws<BadImageException>(() => decoder.Decode(file));
        Assert.That(ex!.Message, Does.Contain(file).And.Contain("over the limit of 100x"));
    }

    [Test]
    public void CmykJpegFallsBackToImageSharpUnderAuto()
    {
        RequireTurbo();
        string cmyk = Path.Combine(TestPaths.RepoRoot, "tests", "ModelZoo.Tests", "Fixtures", "images", "n01440764_1063-cmyk.jpg");
        using var auto = new SafeImageDecoder();
        using var managed = new SafeImageDecoder(Managed);
        var a = auto.Decode(cmyk);
        var b = managed.Decode(cmyk);
        Assert.That(a.Data, Is.EqualTo(b.Data), "libjpeg-turbo cannot convert CMYK to RGB; ImageSharp's conversion is used");
    }
}
