using System.Globalization;
using System.Text.Json;
using ModelZoo.Cli;
using ModelZoo.Tests.Cli;

namespace ModelZoo.Tests.Experiments;

/// <summary>
/// <c>modelzoo experiment</c> end to end at a tiny size (3 steps per variant on mnist-sample): every experiment
/// writes its PNG plots, CSV files, summary.md and experiment.json, and the CSV numbers are the runs' own.
/// </summary>
[RestoresTorchThreads]
public class ExperimentCommandTests
{
    private string _root = "";

    [OneTimeSetUp]
    public void MakeRoot() => _root = Directory.CreateDirectory(Path.Combine(Path.GetTempPath(), "mz-exp-" + Guid.NewGuid().ToString("N"))).FullName;

    [OneTimeTearDown]
    public void Cleanup()
    {
        if (Directory.Exists(_root)) Directory.Delete(_root, recursive: true);
    }

    private static readonly Dictionary<string, string[]> Variants = new()
    {
        ["optimizers"] = ["sgd", "momentum", "adagrad", "adam"],
        ["init"] = ["std0.01", "xavier", "he"],
        ["depth"] = ["twoconv", "deepcnn"],
        ["augment"] = ["none", "mnist"],
    };

    private async Task<(string Dir, JsonDocument Json)> Run(string name, params string[] extra)
    {
        string dir = Path.Combine(_root, name + "-" + Guid.NewGuid().ToString("N")[..6]);
        var (code, stdout, err) = await CliHarness.Run(["experiment", name, "--data", "mnist-sample", "--max-steps", "3", "--batch-size", "32",
            "--threads", "1", "--output", dir, "--json", .. extra]);
        Assert.That(code, Is.EqualTo(ExitCodes.Success), err);
        return (dir, JsonDocument.Parse(stdout));
    }

    private static Dictionary<string, double[]> Steps(string dir) =>
        File.ReadLines(Path.Combine(dir, "steps.csv")).Skip(1).Select(l => l.Split(','))
            .GroupBy(f => f[0]).ToDictionary(g => g.Key, g => g.OrderBy(f => int.Parse(f[1], CultureInfo.InvariantCulture)).Select(f => double.Parse(f[2], CultureInfo.InvariantCulture)).ToArray());

    [TestCase("optimizers")]
    [TestCase("init")]
    [TestCase("depth")]
    [TestCase("augment")]
    public async Task EveryExperimentWritesItsPlotsCsvAndSummary(string name)
    {
        var (dir, json) = await Run(name);
        using (json)
        {
            var root = json.RootElement;
            Assert.That(root.GetProperty("experiment").GetString(), Is.EqualTo(name));
            var variants = root.GetProperty("variants").EnumerateArray().ToList();
            Assert.That(variants.Select(v => v.GetProperty("name").GetString()), Is.EqualTo(Variants[name]));
            foreach (var v in variants)
            {
                Assert.That(v.GetProperty("steps").GetInt32(), Is.EqualTo(3));
                Assert.That(v.GetProperty("test_accuracy").GetDouble(), Is.InRange(0.0, 1.0));
                Assert.That(v.GetProperty("parameters").GetInt64(), Is.GreaterThan(1000));
            }
            foreach (string png in new[] { "loss.png", "accuracy.png" }.Concat(name == "init"
                ? ["activations-mlp-sigmoid.png", "activations-mlp-tanh.png", "activations-mlp-relu.png", "activations-deepcnn.png"] : []))
            {
                byte[] bytes = File.ReadAllBytes(Path.Combine(dir, png));
                Assert.That(bytes.Take(4), Is.EqualTo(new byte[] { 0x89, 0x50, 0x4E, 0x47 }), png);
                Assert.That(bytes.Length, Is.GreaterThan(5000), png + " has content");
            }
            var steps = Steps(dir);
            Assert.That(steps.Keys, Is.EquivalentTo(Variants[name]));
            Assert.That(steps.Values.Select(s => s.Length), Is.All.EqualTo(3));
            foreach (var v in variants)
                Assert.That(steps[v.GetProperty("name").GetString()!].Average(), Is.EqualTo(v.GetProperty("mean_train_loss").GetDouble()).Within(1e-9),
                    "the CSV holds the losses the summary is computed from");
            var summary = File.ReadAllLines(Path.Combine(dir, "summary.csv"));
            Assert.That(summary, Has.Length.EqualTo(Variants[name].Length + 1));
            Assert.That(File.ReadAllLines(Path.Combine(dir, "epochs.csv")), Has.Length.EqualTo(Variants[name].Length + 1));
            string md = File.ReadAllText(Path.Combine(dir, "summary.md"));
            Assert.That(md, Does.Contain("The seed's conclusion").And.Contain("![loss.png](loss.png)"));
            Assert.That(md, Does.Contain(root.GetProperty("agrees_with_seed").GetBoolean() ? "This run agrees" : "This run differs"));
            if (name == "init")
            {
                var rows = File.ReadLines(Path.Combine(dir, "activations.csv")).Skip(1).Select(l => l.Split(',')).ToList();
                // 3 activations x 3 inits x 5 layers x 30 bins for the MLP, 3 inits x 7 ReLUs x 30 bins for deepcnn.
                Assert.That(rows.Count(r => r[0] == "mlp"), Is.EqualTo(3 * 3 * 5 * 30));
                Assert.That(rows.Count(r => r[0] == "deepcnn"), Is.EqualTo(3 * 7 * 30));
                Assert.That(root.GetProperty("activations_agree_with_seed").GetBoolean(), Is.True, root.GetProperty("activations_finding").GetString());
            }
        }
    }

    [Test]
    public async Task TheCurvesComeFromRealRunsWhereOnlyTheVariableDiffers()
    {
        var (dir, json) = await Run("optimizers");
        json.Dispose();
        var steps = Steps(dir);
        // Same weights, same first batch: the loss before the first update is the same for every optimiser ...
        Assert.That(steps.Values.Select(s => s[0]).Distinct().Count(), Is.EqualTo(1), string.Join(", ", steps.Select(kv => $"{kv.Key} {kv.Value[0]}")));
        // ... and the optimisers' different updates make the later losses differ.
        Assert.That(steps.Values.Select(s => s[2]).Distinct().Count(), Is.EqualTo(4));

        // Changing the shared seed changes every curve (the numbers are not canned).
        var (other, json2) = await Run("optimizers", "--seed", "7");
        json2.Dispose();
        var reseeded = Steps(other);
        foreach (string v in Variants["optimizers"]) Assert.That(reseeded[v], Is.Not.EqualTo(steps[v]), v);

        // The same command again gives the same numbers: the runs are seeded.
        var (again, json3) = await Run("optimizers");
        json3.Dispose();
        Assert.That(Steps(again), Is.EqualTo(steps));
    }

    [Test]
    public async Task InitVariantsStartFromDifferentWeightsAndDepthVariantsFromDifferentModels()
    {
        var (init, j1) = await Run("init");
        j1.Dispose();
        Assert.That(Steps(init).Values.Select(s => s[0]).Distinct().Count(), Is.EqualTo(3), "three initialisations, three first losses");
        var (depth, j2) = await Run("depth");
        using (j2)
        {
            var parameters = j2.RootElement.GetProperty("variants").EnumerateArray().Select(v => v.GetProperty("parameters").GetInt64()).ToList();
            Assert.That(parameters[0], Is.Not.EqualTo(parameters[1]));
            Assert.That(parameters[1], Is.EqualTo(123_552), "deepcnn's card count for 1x28x28 and 10 classes");
        }
        Assert.That(Steps(depth)["twoconv"], Is.Not.EqualTo(Steps(depth)["deepcnn"]));
    }

    [Test]
    public async Task ANonEmptyOutputIsRefusedBeforeAnyWork()
    {
        string dir = Directory.CreateDirectory(Path.Combine(_root, "taken")).FullName;
        File.WriteAllText(Path.Combine(dir, "keep.txt"), "x");
        var (code, _, err) = await CliHarness.Run(new CliFixture.NoData(), "experiment", "depth", "--output", dir);
        Assert.That(code, Is.EqualTo(ExitCodes.Usage));
        Assert.That(err, Does.Contain("is not empty"));
        Assert.That(Directory.GetFiles(dir), Has.Length.EqualTo(1));
    }
}
