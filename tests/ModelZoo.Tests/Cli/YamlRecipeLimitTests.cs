using System.Diagnostics;
using System.Text;
using ModelZoo.Cli;
using ModelZoo.Cli.Commands;
using ModelZoo.Tests.Training;
using ModelZoo.Training;

namespace ModelZoo.Tests.Cli;

/// <summary>
/// Issue 27, item 5: hostile YAML recipes end in a <see cref="RecipeFileException"/> naming the file, in bounded time
/// and memory: nested aliases ("billion laughs"), nesting 20,000 deep (a stack overflow in YamlDotNet's representation
/// model), non-scalar and repeated keys. The controls show aliases and nesting within the bounds still work.
/// </summary>
public class YamlRecipeLimitTests
{
    private static string Write(string name, string text)
    {
        string path = Path.Combine(TinyNets.TempDir(), name);
        File.WriteAllText(path, text);
        return path;
    }

    /// <summary>Reads the file expecting a refusal naming it, within 5 s and 300 MB of peak RSS growth.</summary>
    private static RecipeFileException Refused(string path)
    {
        RecipeFileException? error = null;
        var watch = Stopwatch.StartNew();
        long? growth = PeakMemory.GrowthDuring(() => error = Assert.Throws<RecipeFileException>(() => RecipeFiles.Load(path)));
        Assert.That(watch.Elapsed, Is.LessThan(TimeSpan.FromSeconds(5)));
        if (growth is long g) Assert.That(g, Is.LessThan(300L << 20), $"peak RSS grew {g >> 20} MB");
        Assert.That(error!.Message, Does.Contain(Path.GetFileName(path)));
        return error;
    }

    /// <summary>Nine levels of nine aliases of the level below: 9^9 (387 million) strings from about 600 bytes.</summary>
    private static string BillionLaughs()
    {
        var text = new StringBuilder("model: deepcnn\na: &a [\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\"]\n");
        for (char c = 'b'; c <= 'i'; c++)
            text.Append(c).Append(": &").Append(c).Append(" [").Append(string.Join(",", Enumerable.Repeat("*" + (char)(c - 1), 9))).Append("]\n");
        return text.ToString();
    }

    [Test]
    public void NestedAliasesAreRefusedBeforeTheyAreExpanded()
    {
        string bomb = BillionLaughs();
        Assert.That(Encoding.UTF8.GetByteCount(bomb), Is.LessThan(700));
        var e = Refused(Write("laughs.yaml", bomb));
        Assert.That(e.Message, Does.Contain("expands to more than 100,000 nodes"));
    }

    [TestCase("[", "]")]
    [TestCase("{a: ", "}")]
    public void NestingTwentyThousandDeepIsRefusedWithoutAStackOverflow(string open, string close)
    {
        string text = "model: " + string.Concat(Enumerable.Repeat(open, 20_000)) + "1" + string.Concat(Enumerable.Repeat(close, 20_000)) + "\n";
        var e = Refused(Write("deep.yaml", text));
        Assert.That(e.Message, Does.Contain("more than 64 deep").And.Contain("line 1"));
    }

    [Test]
    public void NestingUpToTheJsonReadersDepthIsRead()
    {
        // The root mapping is depth 1; 63 sequences inside it reach 64.
        string ok = "x: " + new string('[', 63) + "1" + new string(']', 63) + "\n";
        var root = YamlRecipeReader.Read(Write("deep-ok.yaml", ok));
        Assert.That(root["x"]!.ToJsonString(), Does.StartWith("[[[").And.Contain("1"));
        string over = "x: " + new string('[', 64) + "1" + new string(']', 64) + "\n";
        Assert.Throws<RecipeFileException>(() => YamlRecipeReader.Read(Write("deep-over.yaml", over)));
    }

    [TestCase("? [a, b]\n: 1\n", "sequence")]
    [TestCase("{[model]: deepcnn}\n", "sequence")]
    [TestCase("? {x: 1}\n: 2\n", "mapping")]
    [TestCase("k: &k {x: 1}\n*k : 2\n", "alias of a mapping")]
    public void ANonScalarKeyIsATypedError(string text, string what)
    {
        var e = Refused(Write("key.yaml", text));
        Assert.That(e.Message, Does.Contain(what).And.Contain("keys must be plain names"));
        Assert.That(e.InnerException, Is.Not.InstanceOf<InvalidCastException>());
    }

    [Test]
    public void ARepeatedKeyOrAnUnknownAliasIsATypedError()
    {
        Assert.That(Refused(Write("twice.yaml", "model: deepcnn\nmodel: vgg11\n")).Message, Does.Contain("the key 'model' twice").And.Contain("line 2"));
        Assert.That(Refused(Write("alias.yaml", "model: *nowhere\n")).Message, Does.Contain("*nowhere"));
        Assert.That(Refused(Write("self.yaml", "a: &a [*a]\n")).Message, Does.Contain("*a"));
    }

    [Test]
    public void AFileLargerThanARecipeCanBeIsRefusedUnread()
    {
        string path = Write("huge.yaml", "model: deepcnn\n# " + new string('x', (int)YamlRecipeReader.MaxFileBytes) + "\n");
        Assert.That(Refused(path).Message, Does.Contain("a recipe file is at most"));
    }

    [Test]
    public void AliasesAndQuotedScalarsWithinTheBoundsStillWork()
    {
        string path = Write("ok.yaml", "model: deepcnn\ndata: &d mnist-sample\ntraining:\n  learningRate: &lr 0.002\n  epochs: 3\ninit: !!str he\n");
        var spec = RunSpecComposer.Compose([RecipeFiles.Load(path)]).Spec;
        Assert.That(spec.Model, Is.EqualTo("deepcnn"));
        Assert.That(spec.Data, Is.EqualTo("mnist-sample"));
        Assert.That(spec.ModelOptions.Init.ToString(), Is.EqualTo("He").IgnoreCase);
        Assert.That(spec.Training.LearningRate, Is.EqualTo(0.002));
        Assert.That(spec.Training.Epochs, Is.EqualTo(3));
    }

    [Test]
    public async Task TheCommandLineReportsTheBombInOneLine()
    {
        var (code, _, err) = await CliHarness.Run("train", "--config", Write("laughs.yml", BillionLaughs()), "--print-config");
        Assert.That(code, Is.EqualTo(ExitCodes.Failure));
        Assert.That(err, Does.Contain("laughs.yml").And.Contain("expands to more than"));
        Assert.That(err.TrimEnd().Split('\n'), Has.Length.EqualTo(1));
    }
}
