using System.Diagnostics;
using System.Text.Json;
using System.Text.RegularExpressions;
using ModelZoo.Cli;
using ModelZoo.Tests.Cli;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.PixelFormats;

namespace ModelZoo.Tests.Experiments;

/// <summary>
/// <c>modelzoo report</c> on a run folder (with its evaluation), an evaluate output folder and an experiment folder:
/// one self-contained HTML page with the class names, and it renders in headless Chromium.
/// </summary>
[RestoresTorchThreads]
public partial class ReportCommandTests
{
    private string _root = "";
    private string _run = "";
    private string _experiment = "";

    [OneTimeSetUp]
    public async Task MakeRunEvaluationAndExperiment()
    {
        _root = Path.Combine(Path.GetTempPath(), "mz-report-" + Guid.NewGuid().ToString("N"));
        string data = TinyImageFolder.Create(Path.Combine(_root, "data"));
        _run = Path.Combine(_root, "run");
        var (code, _, err) = await CliHarness.Run("train", "--model", "deepcnn", "--data", data, "--image-size", "32", "--epochs", "2",
            "--batch-size", "6", "--threads", "1", "--output", _run, "--no-tensorboard");
        Assert.That(code, Is.EqualTo(ExitCodes.Success), err);
        (code, _, err) = await CliHarness.Run("evaluate", "--checkpoint", _run, "--threads", "1");
        Assert.That(code, Is.EqualTo(ExitCodes.Success), err);
        _experiment = Path.Combine(_root, "experiment");
        (code, _, err) = await CliHarness.Run("experiment", "depth", "--data", "mnist-sample", "--max-steps", "2", "--batch-size", "16", "--threads", "1", "--output", _experiment);
        Assert.That(code, Is.EqualTo(ExitCodes.Success), err);
    }

    [OneTimeTearDown]
    public void Cleanup()
    {
        if (Directory.Exists(_root)) Directory.Delete(_root, recursive: true);
    }

    [GeneratedRegex("""(?:src|href)\s*=\s*["']?\s*(?:https?:)?//""", RegexOptions.IgnoreCase)]
    private static partial Regex ExternalReference();

    private static void AssertSelfContained(string html)
    {
        Assert.That(ExternalReference().IsMatch(html), Is.False, "no http(s):// or protocol-relative src/href");
        Assert.That(html, Does.Not.Contain("<link").IgnoreCase.And.Not.Contain("<script").IgnoreCase.And.Not.Contain("@import").IgnoreCase.And.Not.Contain("url(").IgnoreCase);
        foreach (Match m in Regex.Matches(html, "src=\"([^\"]*)\""))
            Assert.That(m.Groups[1].Value, Does.StartWith("data:image/png;base64,"), "every image is inlined");
    }

    private static async Task<string> Report(string folder, string output)
    {
        var (code, stdout, err) = await CliHarness.Run("report", folder, "--output", output, "--json");
        Assert.That(code, Is.EqualTo(ExitCodes.Success), err);
        using var json = JsonDocument.Parse(stdout);
        Assert.That(json.RootElement.GetProperty("report").GetString(), Is.EqualTo(Path.GetFullPath(output)));
        return File.ReadAllText(output);
    }

    [Test]
    public async Task RunReportIsSelfContainedAndShowsEverySectionWithClassNames()
    {
        string html = await Report(_run, Path.Combine(_root, "run.html"));
        AssertSelfContained(html);
        foreach (string section in new[] { "Run summary", "Model card", "Learning curves", "Evaluation", "Per-class precision, recall and F1",
                     "Confusion matrix", "Misclassified examples", "Top losses", "Timing and memory" })
            Assert.That(html, Does.Contain($">{section}"), section);
        Assert.That(html, Does.Contain("tench").And.Contain("English springer").And.Contain("cassette player"), "human class names, not only WordNet ids");
        Assert.That(Regex.Matches(html, "data:image/png;base64,").Count, Is.GreaterThanOrEqualTo(5), "3 curves, the misclassified grid and the top losses");
        Assert.That(html, Does.Contain("The deep MNIST CNN"), "the model card's summary");
        double peak = File.ReadAllLines(Path.Combine(_run, "metrics.jsonl")).Where(l => l.Length > 0)
            .Select(l => JsonDocument.Parse(l).RootElement)
            .Where(m => m.TryGetProperty("rss_mb", out var v) && v.ValueKind == JsonValueKind.Number)
            .Max(m => m.GetProperty("rss_mb").GetDouble());
        Assert.That(html, Does.Contain(string.Create(System.Globalization.CultureInfo.InvariantCulture, $"{peak:0} MB")), "peak memory: the largest rss_mb in metrics.jsonl");
    }

    [Test]
    public async Task EvaluationFolderReportHasTheMetricsAndTheDefaultFileIsInsideIt()
    {
        string evaluation = Path.Combine(_run, "evaluation");
        var (code, _, err) = await CliHarness.Run("report", evaluation);
        Assert.That(code, Is.EqualTo(ExitCodes.Success), err);
        string html = File.ReadAllText(Path.Combine(evaluation, "report.html"));
        AssertSelfContained(html);
        Assert.That(html, Does.Contain(">Confusion matrix<").And.Contain("tench").And.Not.Contain(">Run summary<"));
        using var report = JsonDocument.Parse(File.ReadAllText(Path.Combine(evaluation, "report.json")));
        double top1 = report.RootElement.GetProperty("top1").GetDouble();
        Assert.That(html, Does.Contain($"{top1 * 100:0.00} %"));
    }

    [Test]
    public async Task MistakesOfFolderDataAreListedByFileName()
    {
        // Folder data: each mistake names its image file (report.json and the page), so a person can open it.
        string evaluation = Path.Combine(_run, "evaluation");
        using var report = JsonDocument.Parse(File.ReadAllText(Path.Combine(evaluation, "report.json")));
        var files = report.RootElement.GetProperty("misclassified").EnumerateArray().Select(m => m.GetProperty("file").GetString()!).ToList();
        Assert.That(files, Is.Not.Empty, "an untrained-enough tiny model makes mistakes");
        Assert.That(files, Has.All.Matches<string>(File.Exists), "the files exist: they are the evaluated images");
        var losses = report.RootElement.GetProperty("top_losses").EnumerateArray().Select(m => m.GetProperty("file").GetString()!).ToList();
        Assert.That(losses, Has.All.Matches<string>(File.Exists));
        var (code, _, err) = await CliHarness.Run("report", evaluation, "--output", Path.Combine(_root, "mistakes.html"));
        Assert.That(code, Is.EqualTo(ExitCodes.Success), err);
        string html = File.ReadAllText(Path.Combine(_root, "mistakes.html"));
        foreach (string file in files.Concat(losses))
            Assert.That(html, Does.Contain($"<code>{System.Net.WebUtility.HtmlEncode(Path.GetFileName(file))}</code>"), file);
    }

    [Test]
    public async Task ExperimentFolderReportHasTheResultsAndFigures()
    {
        string html = await Report(_experiment, Path.Combine(_root, "experiment.html"));
        AssertSelfContained(html);
        Assert.That(html, Does.Contain("2-conv CNN").And.Contain("deepcnn (6 conv)").And.Contain("The seed's conclusion"));
        Assert.That(Regex.Matches(html, "data:image/png;base64,").Count, Is.EqualTo(2), "loss.png and accuracy.png");
    }

    [Test]
    public async Task AFolderWithNothingToReportIsOneError()
    {
        string empty = Directory.CreateDirectory(Path.Combine(_root, "empty")).FullName;
        var (code, _, err) = await CliHarness.Run("report", empty);
        Assert.That(code, Is.EqualTo(ExitCodes.Failure));
        Assert.That(err, Does.Contain("is not a run, evaluation or experiment folder"));
        Assert.That(Directory.EnumerateFileSystemEntries(empty), Is.Empty);
        string taken = Path.Combine(_root, "taken.html");
        File.WriteAllText(taken, "mine");
        (code, _, err) = await CliHarness.Run("report", _run, "--output", taken);
        Assert.That(code, Is.EqualTo(ExitCodes.Usage), err);
        Assert.That(File.ReadAllText(taken), Is.EqualTo("mine"));
    }

    [Test]
    public async Task ReportOpensInHeadlessChromiumAndIsNotBlank()
    {
        string? chromium = new[] { "chromium", "chromium-browser", "google-chrome" }.Select(Which).FirstOrDefault(p => p is not null);
        if (chromium is null)
        {
            const string why = "headless Chromium is not installed (apt-get install chromium); the report's rendering was not checked";
            if (Environment.GetEnvironmentVariable("MODELZOO_REQUIRE_CHROMIUM") == "1") Assert.Fail(why);
            Assert.Ignore(why);
        }
        string page = Path.Combine(_root, "chromium.html");
        await Report(_run, page);
        string shot = Path.Combine(_root, "shot.png");
        string profile = Directory.CreateDirectory(Path.Combine(_root, "chromium-profile")).FullName;
        var start = new ProcessStartInfo(chromium!)
        {
            RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false,
        };
        foreach (string a in new[] { "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", $"--user-data-dir={profile}",
                     $"--screenshot={shot}", "--window-size=1200,2000", new Uri(page).AbsoluteUri })
            start.ArgumentList.Add(a);
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(120_000)) { process.Kill(entireProcessTree: true); Assert.Fail("chromium did not finish in 120 s"); }
        Assert.That(File.Exists(shot), $"no screenshot; chromium said: {await stdout} {await stderr}");
        using var image = Image.Load<Rgba32>(shot);
        Assert.That((image.Width, image.Height), Is.EqualTo((1200, 2000)));
        double sum = 0, sumSq = 0;
        long n = 0, dark = 0;
        image.ProcessPixelRows(rows =>
        {
            for (int y = 0; y < rows.Height; y++)
                foreach (var p in rows.GetRowSpan(y))
                {
                    double l = 0.299 * p.R + 0.587 * p.G + 0.114 * p.B;
                    sum += l;
                    sumSq += l * l;
                    n++;
                    if (l < 100) dark++;
                }
        });
        double mean = sum / n, variance = sumSq / n - mean * mean;
        Assert.That(variance, Is.GreaterThan(100), $"the screenshot is blank (mean {mean:0.0}, variance {variance:0.0})");
        Assert.That(dark, Is.GreaterThan(n / 200), "there is text and figures on the page");
    }

    private static string? Which(string name) =>
        (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator).Select(d => Path.Combine(d, name)).FirstOrDefault(File.Exists);
}
