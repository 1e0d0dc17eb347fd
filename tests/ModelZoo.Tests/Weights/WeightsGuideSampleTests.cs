using ModelZoo.Hub;
using ModelZoo.Tests.Data;
using ModelZoo.Weights;
using TorchSharp;
using static TorchSharp.torch;

namespace ModelZoo.Tests.Weights;

/// <summary>The C# samples of docs/weights.md, compiled and run line for line on torchvision-written files.</summary>
[NonParallelizable]
public class WeightsGuideSampleTests
{
    [Test]
    public void WeightsGuideSampleImportsResetsAndExports()
    {
        TorchReference.Require();
        string work = Directory.CreateTempSubdirectory("modelzoo-weights-guide-").FullName;
        string previous = Environment.CurrentDirectory;
        try
        {
            TorchReference.RunScript("make_weights.py", work, "resnet18");
            File.Move(Path.Combine(work, "resnet18.pth"), Path.Combine(work, "resnet18-f37072fd.pth"));
            Environment.CurrentDirectory = work;
            using var scope = NewDisposeScope();

            // --- same code as docs/weights.md ---
            var model = Zoo.Create("resnet18");                                   // 3x224x224, 1000 classes, torchvision's names
            var loaded = PretrainedWeights.Load(model, "resnet18-f37072fd.pth");  // strict: every key must match
            ((IZooModel)model).ResetClassifier(10);                               // a fresh 10-class head, still named fc
            SafetensorsFile.Write("resnet18-10.safetensors", model.state_dict());  // PyTorch's load_state_dict reads it
            // --- end of example ---

            Assert.That(loaded.Missing, Is.Empty);
            Assert.That(loaded.Loaded, Has.Count.EqualTo(model.state_dict().Count));
            var header = SafetensorsFile.ReadHeader(Path.Combine(work, "resnet18-10.safetensors"));
            Assert.That(header.Entries.Single(e => e.Name == "fc.weight").Shape, Is.EqualTo(new long[] { 10, 512 }));
            var imported = PretrainedWeights.Read(Path.Combine(work, "resnet18-f37072fd.pth"));
            var exported = SafetensorsFile.Read(Path.Combine(work, "resnet18-10.safetensors"));
            Assert.That((exported["conv1.weight"] - imported["conv1.weight"]).abs().max().item<float>(), Is.Zero, "the backbone keeps the imported weights");
            foreach (var t in imported.Values.Concat(exported.Values)) t.Dispose();
            model.Dispose();

            string guide = File.ReadAllText(Path.Combine(TestPaths.RepoRoot, "docs", "weights.md"));
            var tested = File.ReadAllLines(Path.Combine(TestPaths.RepoRoot, "tests", "ModelZoo.Tests", "Weights", "WeightsGuideSampleTests.cs")).Select(l => l.Trim()).ToHashSet();
            foreach (var line in Docs.DocsTests.Fences(guide).Where(f => f.Language == "csharp").SelectMany(f => f.Lines).Select(l => l.Trim()))
                if (line.Length > 0 && !line.StartsWith("using ", StringComparison.Ordinal))
                    Assert.That(tested, Does.Contain(line), $"docs/weights.md line not run by this test: {line}");
        }
        finally
        {
            Environment.CurrentDirectory = previous;
            try { Directory.Delete(work, recursive: true); } catch (IOException) { }
        }
    }

    [Test]
    public void WeightsByNameSampleDownloadsLoadsAndReplacesTheHead()
    {
        // The sample's resnet18.tv_in1k is served by a loopback server (PyTorch-written, random weights, its real hash)
        // into temporary caches: the same calls as on a machine with internet, without it.
        using var files = new HubFiles();
        using var server = new LoopbackHttpServer(r => LoopbackHttpServer.Serve(files.ResNet18, r));
        var options = files.FreshOptions();
        WeightsHub.OptionsOverride.Value = options;
        WeightsHub.ExtraEntries.Value = [files.Entry(server.Url("models") + "resnet18-f37072fd.pth", tag: "tv_in1k") with { IsDefault = true }];
        try
        {
            using var scope = NewDisposeScope();

            // --- same code as docs/weights.md ---
            using var model = Zoo.Create("resnet18", new ModelOptions { Weights = "resnet18.tv_in1k" });      // downloaded, verified, loaded
            using var tuned = Zoo.Create("resnet18", new ModelOptions { Weights = "resnet18", NumClasses = 10 }); // the default weights, a new 10-class head
            var info = WeightsHub.Find("resnet18");          // WeightsInfo: Url, Sha256, Preprocessing, ReferenceTop1, Licence, ...
            string path = WeightsHub.Fetch(info);            // the verified local file (from the cache now)
            // --- end of example ---

            Assert.That(path, Is.EqualTo(Path.Combine(options.WeightsDirectory, "resnet18-f37072fd.pth")));
            Assert.That(server.Requests, Has.Count.EqualTo(1), "downloaded once");
            var file = PretrainedWeights.Read(path);
            Assert.That(model.state_dict()["fc.weight"].equal(file["fc.weight"]).all().item<bool>(), Is.True);
            Assert.That(tuned.state_dict()["fc.weight"].shape, Is.EqualTo(new long[] { 10, 512 }));
            Assert.That(tuned.state_dict()["layer1.0.conv1.weight"].equal(file["layer1.0.conv1.weight"]).all().item<bool>(), Is.True);
            foreach (var t in file.Values) t.Dispose();
        }
        finally
        {
            WeightsHub.OptionsOverride.Value = null;
            WeightsHub.ExtraEntries.Value = null;
        }
    }
}
