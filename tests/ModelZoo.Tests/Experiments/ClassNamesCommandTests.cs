using System.Text.Json;
using ModelZoo.Cli;
using ModelZoo.Tests.Cli;

namespace ModelZoo.Tests.Experiments;

/// <summary>
/// Human class names in <c>evaluate</c> (table, report.json, misclassified grid captions) and <c>predict</c>, from a
/// classes.txt beside a folder data set and from the ImageNet WordNet map for the folder's WordNet ids.
/// </summary>
[RestoresTorchThreads]
public class ClassNamesCommandTests
{
    private string _root = "";
    private string _named = "";
    private string _plain = "";
    private string _run = "";

    [OneTimeSetUp]
    public async Task TrainOnATinyFolder()
    {
        _root = Path.Combine(Path.GetTempPath(), "mz-names-" + Guid.NewGuid().ToString("N"));
        _named = TinyImageFolder.Create(Path.Combine(_root, "named"), classesTxt: "n01440764\tTinca the tench\nn02979186\tboombox\n");
        _plain = TinyImageFolder.Create(Path.Combine(_root, "plain"));
        _run = Path.Combine(_root, "run");
        var (code, _, err) = await CliHarness.Run("train", "--model", "deepcnn", "--data", _named, "--image-size", "32", "--epochs", "1",
            "--batch-size", "6", "--threads", "1", "--output", _run, "--no-tensorboard");
        Assert.That(code, Is.EqualTo(ExitCodes.Success), err);
    }

    [OneTimeTearDown]
    public void Cleanup()
    {
        if (Directory.Exists(_root)) Directory.Delete(_root, recursive: true);
    }

    [Test]
    public async Task EvaluateShowsNamesFromClassesTxtBesideTheFolder()
    {
        string output = Path.Combine(_root, "eval-named");
        var (code, stdout, err) = await CliHarness.Run("evaluate", "--checkpoint", _run, "--output", output, "--threads", "1");
        Assert.That(code, Is.EqualTo(ExitCodes.Success), err);
        Assert.That(stdout, Does.Contain("Tinca the tench (n01440764)").And.Contain("boombox (n02979186)"));
        Assert.That(stdout, Does.Contain("English springer (n02102040)"), "a class the file leaves out falls back to the WordNet map");
        using var doc = JsonDocument.Parse(File.ReadAllText(Path.Combine(output, "report.json")));
        var classes = doc.RootElement.GetProperty("classes").EnumerateArray().ToList();
        Assert.That(classes.Select(c => c.GetProperty("name").GetString()), Is.EqualTo(TinyImageFolder.Classes), "ids stay the identity");
        Assert.That(classes.Select(c => c.GetProperty("display_name").GetString()), Is.EqualTo(new[] { "Tinca the tench", "English springer", "boombox" }));
        foreach (var m in doc.RootElement.GetProperty("misclassified").EnumerateArray())
        {
            Assert.That(m.GetProperty("label_name").GetString(), Is.AnyOf("Tinca the tench", "English springer", "boombox"));
            Assert.That(m.GetProperty("predicted_name").GetString(), Is.AnyOf("Tinca the tench", "English springer", "boombox"));
        }
        Assert.That(doc.RootElement.GetProperty("top_losses").GetArrayLength(), Is.EqualTo(6), "every one of the 6 images, highest loss first");
        var losses = doc.RootElement.GetProperty("top_losses").EnumerateArray().Select(l => l.GetProperty("loss").GetDouble()).ToList();
        Assert.That(losses, Is.Ordered.Descending);
        Assert.That(File.Exists(Path.Combine(output, "top-losses.png")));
    }

    [Test]
    public async Task EvaluateOnAFolderWithoutNamesUsesTheWordNetMap()
    {
        string output = Path.Combine(_root, "eval-plain");
        var (code, stdout, err) = await CliHarness.Run("evaluate", "--checkpoint", _run, "--data", _plain, "--output", output, "--threads", "1", "--json");
        Assert.That(code, Is.EqualTo(ExitCodes.Success), err);
        using var doc = JsonDocument.Parse(stdout);
        Assert.That(doc.RootElement.GetProperty("class_names").EnumerateArray().Select(c => c.GetString()),
            Is.EqualTo(new[] { "tench", "English springer", "cassette player" }));
    }

    [Test]
    public async Task MisclassifiedGridCaptionsUseTheNames()
    {
        // The grid's captions are drawn from the same names: a grid drawn with the ids would differ.
        string output = Path.Combine(_root, "eval-grid");
        var (code, _, err) = await CliHarness.Run("evaluate", "--checkpoint", _run, "--output", output, "--threads", "1");
        Assert.That(code, Is.EqualTo(ExitCodes.Success), err);
        using var doc = JsonDocument.Parse(File.ReadAllText(Path.Combine(output, "report.json")));
        var wrong = doc.RootElement.GetProperty("misclassified").EnumerateArray().ToList();
        Assume.That(wrong, Is.Not.Empty, "the tiny model got everything right");
        var split = ModelZoo.Data.DataSpec.Resolve(_named);
        var names = doc.RootElement.GetProperty("class_names").EnumerateArray().Select(c => c.GetString()!).ToList();
        string withNames = Path.Combine(_root, "grid-names.png"), withIds = Path.Combine(_root, "grid-ids.png");
        var examples = wrong.Select(m => (Index: m.GetProperty("index").GetInt32(), Label: m.GetProperty("label").GetString()!, Pred: m.GetProperty("predicted").GetString()!,
            Conf: m.GetProperty("confidence").GetDouble())).ToList();
        ModelZoo.Cli.Rendering.MisclassifiedGrid.Write(withNames, examples.Select(e => (split.Validation.Get(e.Index).Image,
            $"true {names[Array.IndexOf(TinyImageFolder.Classes, e.Label)]}", $"pred {names[Array.IndexOf(TinyImageFolder.Classes, e.Pred)]} {e.Conf * 100:0}%")).ToList());
        ModelZoo.Cli.Rendering.MisclassifiedGrid.Write(withIds, examples.Select(e => (split.Validation.Get(e.Index).Image,
            $"true {e.Label}", $"pred {e.Pred} {e.Conf * 100:0}%")).ToList());
        byte[] written = File.ReadAllBytes(Path.Combine(output, "misclassified.png"));
        Assert.That(written, Is.EqualTo(File.ReadAllBytes(withNames)), "evaluate's grid is the one captioned with names");
        Assert.That(written, Is.Not.EqualTo(File.ReadAllBytes(withIds)));
    }

    [Test]
    public async Task PredictShowsTheNamesToo()
    {
        string image = Directory.GetFiles(Path.Combine(_named, "val", "n01440764"))[0];
        var (code, stdout, err) = await CliHarness.Run("predict", "--checkpoint", _run, image, "--top", "3", "--json", "--threads", "1");
        Assert.That(code, Is.EqualTo(ExitCodes.Success), err);
        using var doc = JsonDocument.Parse(stdout);
        var predictions = doc.RootElement.GetProperty("results")[0].GetProperty("predictions").EnumerateArray().ToList();
        var byId = predictions.ToDictionary(p => p.GetProperty("class").GetString()!, p => p.GetProperty("name").GetString());
        Assert.That(byId["n01440764"], Is.EqualTo("Tinca the tench"));
        Assert.That(byId["n02102040"], Is.EqualTo("English springer"));
        Assert.That(byId["n02979186"], Is.EqualTo("boombox"));
        var (code2, table, err2) = await CliHarness.Run("predict", "--checkpoint", _run, image, "--top", "3", "--threads", "1");
        Assert.That(code2, Is.EqualTo(ExitCodes.Success), err2);
        Assert.That(table, Does.Contain("Tinca the tench (n01440764)"));
    }
}
