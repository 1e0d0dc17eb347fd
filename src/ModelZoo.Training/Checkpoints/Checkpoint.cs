using TorchSharp;
using static TorchSharp.torch;

namespace ModelZoo.Training;

/// <summary>
/// Reads ModelZoo checkpoints (single files written by the <see cref="Trainer"/>; format in docs/training.md).
/// Every read validates the whole file and its SHA-256 before anything is loaded.
/// </summary>
public static class Checkpoint
{
    /// <summary>File name of the latest checkpoint inside a run's <c>checkpoints/</c> folder.</summary>
    public const string LastFileName = "last.ckpt";

    /// <summary>File name of the best checkpoint inside a run's <c>checkpoints/</c> folder.</summary>
    public const string BestFileName = "best.ckpt";

    /// <summary>Reads and validates a checkpoint's metadata.</summary>
    /// <exception cref="CheckpointException">Missing, truncated, altered or not a checkpoint; the message names the file.</exception>
    public static CheckpointInfo ReadInfo(string path) => CheckpointFile.ReadHeader(ResolvePath(path)).ToInfo();

    /// <summary>Builds the model with <see cref="Zoo.Create"/> from the recorded name and options, loads its weights and puts it in eval mode.</summary>
    /// <exception cref="CheckpointException">The file is bad or its weights do not fit the model.</exception>
    /// <exception cref="UnknownModelException">The model is not in this build's zoo.</exception>
    public static (nn.Module<Tensor, Tensor> Model, CheckpointInfo Info) LoadModel(string path) => LoadModel(path, ema: false);

    /// <summary>
    /// Like <see cref="LoadModel(string)"/>; with <paramref name="ema"/> the model gets the checkpoint's EMA weights
    /// (<see cref="TrainingOptions.EmaDecay"/>) instead of the raw ones.
    /// </summary>
    /// <exception cref="CheckpointException">The file is bad, has no EMA weights when asked for them, or its weights do not fit the model.</exception>
    /// <exception cref="UnknownModelException">The model is not in this build's zoo.</exception>
    public static (nn.Module<Tensor, Tensor> Model, CheckpointInfo Info) LoadModel(string path, bool ema)
    {
        path = ResolvePath(path);
        var header = CheckpointFile.ReadHeader(path);
        var staged = CheckpointFile.ReadStateDict(path, header, ema ? CheckpointFile.EmaSection : "model");
        nn.Module<Tensor, Tensor>? model = null;
        try
        {
            model = Zoo.Create(header.ModelName, header.ModelOptions);
            CheckpointFile.LoadInto(path, model, staged);
            model.eval();
            return (model, header.ToInfo());
        }
        catch
        {
            model?.Dispose();
            throw;
        }
        finally
        {
            foreach (var t in staged.Values) t.Dispose();
        }
    }

    /// <summary>True when the checkpoint holds EMA weights (a run trained with <see cref="TrainingOptions.EmaDecay"/>).</summary>
    /// <exception cref="CheckpointException">The file is bad.</exception>
    public static bool HasEma(string path) => CheckpointFile.ReadHeader(ResolvePath(path)).Sections.Any(s => s.Name == CheckpointFile.EmaSection);

    /// <summary>The training options recorded in a checkpoint (for resuming with the same settings), or null for none.</summary>
    /// <exception cref="CheckpointException">The file is bad.</exception>
    public static TrainingOptions? ReadTrainingOptions(string path) => CheckpointFile.ReadHeader(ResolvePath(path)).Training;

    /// <summary>
    /// A checkpoint file for <paramref name="path"/>: the file itself, or for a run folder its
    /// <c>checkpoints/last.ckpt</c>, or for a <c>checkpoints</c> folder its <c>last.ckpt</c>.
    /// </summary>
    public static string ResolvePath(string path)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        if (!Directory.Exists(path)) return path;
        string inRun = Path.Combine(path, "checkpoints", LastFileName);
        if (File.Exists(inRun)) return inRun;
        string inFolder = Path.Combine(path, LastFileName);
        if (File.Exists(inFolder)) return inFolder;
        throw new CheckpointException(path, $"is a folder without checkpoints/{LastFileName}");
    }

    /// <summary>
    /// Writes a weights-only checkpoint of <paramref name="model"/> (epoch 0, no optimiser state) described by
    /// <paramref name="descriptor"/>, atomically: what <c>modelzoo import-weights</c> makes from a foreign weight file, so
    /// that <c>evaluate</c>, <c>predict</c>, <c>embed</c> and <c>export</c> can use it. It cannot be resumed (there is no
    /// optimiser state); start a run from its weights instead.
    /// </summary>
    /// <exception cref="CheckpointException">The file cannot be written.</exception>
    public static void SaveWeights(string path, nn.Module model, ModelDescriptor descriptor)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(descriptor);
        CheckpointFile.Write(path, CheckpointHeader.For(descriptor), model, optimizer: null, rngState: null);
    }

    /// <summary>
    /// Like <see cref="ResolvePath"/> but, for a folder, prefers <c>best.ckpt</c> (the checkpoint to evaluate or
    /// predict with) and falls back to <c>last.ckpt</c>.
    /// </summary>
    public static string ResolveBestPath(string path)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        if (!Directory.Exists(path)) return path;
        foreach (var candidate in new[] { Path.Combine(path, "checkpoints", BestFileName), Path.Combine(path, BestFileName) })
            if (File.Exists(candidate)) return candidate;
        return ResolvePath(path);
    }
}
