using System.Globalization;
using ModelZoo.Cli.Commands;
using ModelZoo.Data;
using ModelZoo.Training;

namespace ModelZoo.Tests.Cli;

/// <summary>
/// Files the CLI-trust tests point commands at: an untrained deepcnn weights checkpoint (no training needed), a plain
/// file, a non-empty folder and a path that does not exist; plus a data provider that fails the test if a command ever
/// gets as far as opening data.
/// </summary>
internal sealed class CliFixture : IDisposable
{
    public CliFixture()
    {
        Root = Path.Combine(Path.GetTempPath(), "mz-clitrust-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(Root);
        Checkpoint = Path.Combine(Root, "deepcnn.ckpt");
        var options = new ModelOptions { NumClasses = 10, InChannels = 1, Seed = 1 };
        using (var model = Zoo.Create("deepcnn", options))
        {
            var classes = Enumerable.Range(0, 10).Select(i => i.ToString(CultureInfo.InvariantCulture)).ToArray();
            ModelZoo.Training.Checkpoint.SaveWeights(Checkpoint, model, new ModelDescriptor("deepcnn", options, classes, Normalization.Mnist, 1, 28, "mnist-sample"));
        }
        File = Path.Combine(Root, "a-file.txt");
        System.IO.File.WriteAllText(File, "not a checkpoint, not an image");
        Folder = Path.Combine(Root, "a-run");
        Directory.CreateDirectory(Path.Combine(Folder, "checkpoints"));
        System.IO.File.WriteAllText(Path.Combine(Folder, "config.json"), "{}");
        Missing = Path.Combine(Root, "no-such-thing");
    }

    public string Root { get; }

    public string Checkpoint { get; }

    public string File { get; }

    public string Folder { get; }

    public string Missing { get; }

    /// <summary>Every file and folder under <see cref="Root"/> (to show that a command wrote nothing).</summary>
    public List<string> Snapshot() => Directory.EnumerateFileSystemEntries(Root, "*", SearchOption.AllDirectories).Order(StringComparer.Ordinal).ToList();

    /// <summary>Replaces {ckpt}, {file}, {dir}, {missing} and {out} in an argument.</summary>
    public string Expand(string arg, string output) => arg.Replace("{ckpt}", Checkpoint, StringComparison.Ordinal)
        .Replace("{file}", File, StringComparison.Ordinal).Replace("{dir}", Folder, StringComparison.Ordinal)
        .Replace("{missing}", Missing, StringComparison.Ordinal).Replace("{out}", output, StringComparison.Ordinal);

    public void Dispose()
    {
        try { Directory.Delete(Root, recursive: true); }
        catch (IOException) { }
    }

    /// <summary>A train data provider that must never be reached by a bad command line.</summary>
    public sealed class NoData : IDataProvider
    {
        public DataFacts Describe(DataRequest request) => throw new InvalidOperationException("the command got past its argument checks and opened data");

        public TrainingData Open(DataRequest request, int batchSize) => throw new InvalidOperationException("the command got past its argument checks and opened data");
    }
}
