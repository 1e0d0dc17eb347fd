using ModelZoo.Cli;
using ModelZoo.Data;
using ModelZoo.Data.Imaging;
using ModelZoo.Tests.Data.Folders;
using ModelZoo.Tests.Weights;

namespace ModelZoo.Tests.Cli;

/// <summary>
/// Issue 27, item 7 through <c>modelzoo train</c>: a file that passes the load-time checks but fails to decode (damaged
/// image data) used to abort the run under <c>--on-bad-image skip</c>, and every resume died on it again. Now it is
/// skipped, listed in bad-images.tsv with the decoder's reason, counted against <c>--max-bad-fraction</c>, and a resume
/// trains on. A real JPEG with damaged scan bytes (which PIL still loads) is such a file for libjpeg-turbo.
/// </summary>
[NonParallelizable]
[RestoresTorchThreads]
public class DecodeTimeBadImageCommandTests
{
    private string _root = "";
    private string _data = "";
    private string _damaged = "";

    [OneTimeSetUp]
    public void MakeFolder()
    {
        _root = Path.Combine(Path.GetTempPath(), "mz-decodebad-" + Guid.NewGuid().ToString("N"));
        _data = Path.Combine(_root, "digits");
        var mnist = DataSpec.Resolve("mnist-sample").Train;
        int n = 0;
        foreach (string split in new[] { "train", "val" })
        foreach (string cls in new[] { "a", "b" })
        {
            string dir = Path.Combine(_data, split, cls);
            Directory.CreateDirectory(dir);
            for (int i = 0; i < (split == "train" ? 6 : 2); i++) TestPng.WriteGrey(Path.Combine(dir, $"{i}.png"), mnist.Get(n++).Image);
        }
        _damaged = Path.Combine(_data, "train", "a", "damaged.png");
        File.WriteAllBytes(_damaged, DecodeTimeBadImageTests.DamagedPng());
    }

    [OneTimeTearDown]
    public void CleanUp()
    {
        if (Directory.Exists(_root)) Directory.Delete(_root, recursive: true);
    }

    private Task<(int Code, string Out, string Err)> Train(string run, params string[] more) =>
        CliHarness.Run(["train", "--model", "deepcnn", "--data", _data, "--image-size", "28", "--epochs", "1", "--batch-size", "4",
            "--threads", "1", "--workers", "2", "--no-tensorboard", "-o", run, .. more]);

    [Test, Category("NeedsZoo")]
    public async Task ADamagedFileIsSkippedListedAndResumedPast()
    {
        string run = Path.Combine(_root, "run-skip");
        var (code, output, err) = await Train(run, "--on-bad-image", "skip", "--max-bad-fraction", "0.2");
        Assert.That(code, Is.EqualTo(ExitCodes.Success), err);
        var lines = File.ReadAllLines(Path.Combine(run, "bad-images.tsv"));
        Assert.That(lines, Has.Length.EqualTo(2));
        Assert.That(lines[1], Does.StartWith(_damaged + "\t").And.Contain("decoder error"));
        Assert.That(output + err, Does.Contain("damaged.png").And.Contain("bad-images.tsv"), err);

        // The resume takes --on-bad-image skip from the run; --max-bad-fraction is not recorded in config.json, so it is given again.
        var resumed = await CliHarness.Run("train", "--resume", run, "--epochs", "2", "--max-bad-fraction", "0.2");
        Assert.That(resumed.Code, Is.EqualTo(ExitCodes.Success), resumed.Err);
        Assert.That(File.ReadAllLines(Path.Combine(run, "bad-images.tsv")), Has.Length.EqualTo(2), "the file is listed once");
    }

    [Test, Category("NeedsZoo")]
    public async Task ADamagedFileCountsAgainstTheBadFraction()
    {
        // 1 of 13 training files (7.7 %) is over the default 1 %: the same error, naming the option, as at load time.
        var (code, _, err) = await Train(Path.Combine(_root, "run-fraction"), "--on-bad-image", "skip");
        Assert.That(code, Is.EqualTo(ExitCodes.Failure), err);
        Assert.That(err, Does.Contain("1 of 13 image files are bad").And.Contain("--max-bad-fraction"));
    }

    [Test]
    public void ARealJpegWithDamagedScanBytesPassesThePreflightAndFailsToDecode()
    {
        if (!SafeImageDecoder.LibJpegTurboAvailable)
        {
            if (Environment.GetEnvironmentVariable("MODELZOO_REQUIRE_TURBOJPEG") == "1") Assert.Fail("libturbojpeg.so.0 not loadable");
            Assert.Ignore("libturbojpeg.so.0 not loadable: ImageSharp decodes damaged scan data without an error");
        }
        string source = ImageTestData.RealJpegs()[0];
        string path = Path.Combine(ImageTestData.TempDir("damaged-jpeg"), "damaged.jpg");
        File.WriteAllBytes(path, DamageScan(File.ReadAllBytes(source)));
        using var decoder = new SafeImageDecoder();
        Assert.DoesNotThrow(() => decoder.Inspect(path), "the header and the end marker are intact");
        var e = Assert.Throws<BadImageException>(() => decoder.Decode(path))!;
        Assert.That(e.Path, Is.EqualTo(path));
        Assert.That(e.Reason, Does.Contain("libjpeg-turbo"));
        TorchReference.RunScript("pil_loads.py", path);
    }

    /// <summary>Overwrites 64 bytes in the middle of the last scan's entropy-coded data with noise (no FF, so no marker appears).</summary>
    internal static byte[] DamageScan(byte[] jpeg)
    {
        byte[] damaged = (byte[])jpeg.Clone();
        int sos = jpeg.AsSpan().LastIndexOf((ReadOnlySpan<byte>)[0xFF, 0xDA]);
        int dataStart = sos + 2 + (jpeg[sos + 2] << 8 | jpeg[sos + 3]);
        int end = jpeg.AsSpan().LastIndexOf((ReadOnlySpan<byte>)[0xFF, 0xD9]);
        int at = dataStart + (end - dataStart) / 2;
        var noise = new Random(3);
        for (int i = at; i < at + 64; i++) damaged[i] = (byte)noise.Next(0, 0xFF);
        return damaged;
    }
}
