using ModelZoo.Cli;
using ModelZoo.Data;

namespace ModelZoo.Tests.Cli;

/// <summary>
/// <c>--on-bad-image</c> and <c>--max-bad-fraction</c> through the real data wiring on a small image folder with one
/// undecodable file: the failure suggests <c>skip</c>, skipping writes <c>bad-images.tsv</c> (file, reason) into the
/// run folder, and the tolerated fraction is the option's, not a fixed 1 %.
/// </summary>
[NonParallelizable]
[RestoresTorchThreads]
public class BadImageCommandTests
{
    private string _root = "";
    private string _data = "";
    private string _bad = "";

    [OneTimeSetUp]
    public void MakeFolder()
    {
        _root = Path.Combine(Path.GetTempPath(), "mz-badimg-" + Guid.NewGuid().ToString("N"));
        _data = Path.Combine(_root, "digits");
        var mnist = DataSpec.Resolve("mnist-sample").Train;
        int n = 0;
        foreach (string split in new[] { "train", "val" })
        {
            foreach (string cls in new[] { "a", "b" })
            {
                string dir = Path.Combine(_data, split, cls);
                Directory.CreateDirectory(dir);
                for (int i = 0; i < (split == "train" ? 6 : 2); i++) TestPng.WriteGrey(Path.Combine(dir, $"{i}.png"), mnist.Get(n++).Image);
            }
        }
        _bad = Path.Combine(_data, "train", "a", "broken.png");
        File.WriteAllText(_bad, "this is not a PNG");
    }

    [OneTimeTearDown]
    public void CleanUp()
    {
        if (Directory.Exists(_root)) Directory.Delete(_root, recursive: true);
    }

    private async Task<(int Code, string Out, string Err, string Run)> Train(params string[] more)
    {
        string run = Path.Combine(_root, "run-" + Guid.NewGuid().ToString("N")[..6]);
        var (code, output, err) = await CliHarness.Run(["train", "--model", "deepcnn", "--data", _data, "--image-size", "28", "--epochs", "1",
            "--max-steps", "1", "--batch-size", "4", "--threads", "1", "--workers", "0", "--no-tensorboard", "-o", run, .. more]);
        return (code, output, err, run);
    }

    [Test, Category("NeedsZoo")]
    public async Task ABadImageFailureNamesTheFileAndSuggestsSkip()
    {
        var (code, _, err, _) = await Train();
        Assert.That(code, Is.EqualTo(ExitCodes.Failure), err);
        Assert.That(err, Does.Contain("broken.png").And.Contain("--on-bad-image skip"));
        Assert.That(err.TrimEnd().Split('\n'), Has.Length.EqualTo(1));
    }

    [Test, Category("NeedsZoo")]
    public async Task SkippingWritesABadImageReportIntoTheRunFolder()
    {
        var (code, output, err, run) = await Train("--on-bad-image", "skip", "--max-bad-fraction", "0.2");
        Assert.That(code, Is.EqualTo(ExitCodes.Success), err);
        string report = Path.Combine(run, "bad-images.tsv");
        Assert.That(File.Exists(report), output);
        var lines = File.ReadAllLines(report);
        Assert.That(lines[0], Is.EqualTo("file\treason"));
        Assert.That(lines, Has.Length.EqualTo(2));
        var cells = lines[1].Split('\t');
        Assert.That(cells[0], Is.EqualTo(_bad));
        Assert.That(cells[1], Is.Not.Empty);
        Assert.That(output, Does.Contain("bad-images.tsv"));
    }

    [Test, Category("NeedsZoo")]
    public async Task MoreBadImagesThanTheFractionIsAnErrorNamingTheOption()
    {
        // 1 of 13 training files (7.7 %) is over the default 1 % and over --max-bad-fraction 0.05.
        foreach (var more in new[] { new[] { "--on-bad-image", "skip" }, new[] { "--on-bad-image", "skip", "--max-bad-fraction", "0.05" } })
        {
            var (code, _, err, run) = await Train(more);
            Assert.That(code, Is.EqualTo(ExitCodes.Failure), err);
            Assert.That(err, Does.Contain("--max-bad-fraction"));
            Assert.That(Directory.Exists(run), Is.False, "nothing written");
        }
    }
}
