using System.Globalization;
using ModelZoo.Data;
using ModelZoo.Data.Folders;
using ModelZoo.Hub;
using ModelZoo.Training;
using ModelZoo.Weights;
using static TorchSharp.torch;

namespace ModelZoo.Cli.Commands;

/// <summary>
/// <c>--weights NAME</c> for <c>predict</c>, <c>evaluate</c>, <c>embed</c> and <c>export</c>: the named weights as a
/// ModelZoo checkpoint, made once from the verified download (what <c>import-weights</c> would write, with ImageNet's
/// WordNet ids as class names so that the human names show) and kept in the cache's <c>checkpoints</c> folder, so the
/// commands run a pretrained model exactly as they run a trained one.
/// </summary>
internal static class PretrainedCheckpoint
{
    /// <summary>The checkpoint of the weights called <paramref name="name"/>, made (downloading the weights) when missing.</summary>
    /// <exception cref="CliException">Not a known weights name.</exception>
    /// <exception cref="WeightsDownloadException">The weights could not be downloaded or failed their hash check.</exception>
    public static string For(string name, CliEnvironment env, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(name);
        if (WeightsSource.NameProblem("--weights", name) is string problem) throw CliException.Usage(problem);
        var weights = WeightsSource.Known(name)!;
        string path = Path.Combine(WeightsSource.Options.CacheDirectory, "checkpoints", $"{weights.Name}-{weights.Sha256[..8]}.ckpt");
        if (File.Exists(path))
        {
            try
            {
                Checkpoint.ReadInfo(path);
                return path;
            }
            catch (CheckpointException)
            {
                File.Delete(path); // damaged: made again below
            }
        }
        string file = WeightsSource.Resolve("--weights", weights.Name, null, env, cancellationToken: cancellationToken);
        var options = Zoo.ResolveOptions(weights.Model, new ModelOptions { NumClasses = weights.Classes, Family = weights.TransformInput ? new ModelZoo.Models.GoogLeNetOptions { TransformInput = true } : null });
        using var scope = NewDisposeScope();
        using var model = Zoo.Create(weights.Model, options);
        PretrainedWeights.LoadForFineTuning(model, file);
        var classes = weights.ClassList == WeightsInfo.ImageNet1k && weights.Classes == ClassNames.ImageNetClassIds.Count
            ? ClassNames.ImageNetClassIds
            : Enumerable.Range(0, weights.Classes).Select(i => i.ToString(CultureInfo.InvariantCulture)).ToArray();
        var p = weights.Preprocessing;
        var descriptor = new ModelDescriptor(weights.Model, options, classes, new Normalization(p.Mean.ToArray(), p.Std.ToArray()),
            options.InChannels ?? 3, p.CropSize, "weights:" + weights.Name);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        Checkpoint.SaveWeights(path, model, descriptor);
        return path;
    }
}
