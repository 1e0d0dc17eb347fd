using System.Diagnostics;
using System.Globalization;
using System.Text.Json.Nodes;
using ModelZoo.Data;
using ModelZoo.Data.Folders;
using ModelZoo.Data.Transforms;
using ModelZoo.Onnx;
using ModelZoo.Onnx.Quantization;
using ModelZoo.Training;
using Spectre.Console;
using Spectre.Console.Cli;
using TorchSharp;
using static TorchSharp.torch;

namespace ModelZoo.Cli.Commands;

/// <summary>
/// <c>modelzoo quantize</c>: a checkpoint as an 8-bit QDQ ONNX model, its activation ranges calibrated on training
/// images with the checkpoint's preprocessing (see docs/quantization.md). The file runs wherever the float export
/// runs (<c>modelzoo predict --onnx</c>).
/// </summary>
public sealed class QuantizeCommand(CliEnvironment env) : Command<QuantizeSettings>
{
    private static readonly CultureInfo Inv = CultureInfo.InvariantCulture;

    /// <inheritdoc />
    public override int Execute(CommandContext context, QuantizeSettings settings, CancellationToken cancellationToken)
    {
        var token = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, env.Signals.Token).Token;
        int threads = settings.Threads ?? Environment.ProcessorCount;
        torch.set_num_threads(threads);
        TextWriter log = settings.Json ? env.Error : env.Interactive ? new AnsiTextWriter(env.Console) : env.Console.Profile.Out.Writer;

        string path = Path.GetFullPath(Checkpoint.ResolveBestPath(settings.Checkpoint!));
        OutputPaths.CheckFile("--output", settings.Output!, settings.Overwrite, new FileInfo(path).Length / 2 + (1L << 20));
        var info = Checkpoint.ReadInfo(path);
        var method = Enum.Parse<CalibrationMethod>(settings.Method, ignoreCase: true);
        var activations = settings.Activations.Equals("int8", StringComparison.OrdinalIgnoreCase) ? QuantizedActivationType.Int8 : QuantizedActivationType.UInt8;
        string spec = settings.CalibrationData ?? info.DataSpec;
        var images = OpenCalibrationImages(spec, info, settings.Samples, settings.Seed);

        using var scope = NewDisposeScope();
        var (model, _) = Checkpoint.LoadModel(path, settings.Ema);
        OnnxQuantizationInfo written;
        using (model)
        {
            model.eval();
            var options = new OnnxQuantizationOptions
            {
                Method = method,
                Activations = activations,
                Threads = threads,
                Export = new OnnxExportOptions { InputSize = (info.ImageSize, info.ImageSize), Preprocessing = CheckpointImageInput.Preprocessing(info), ClassNames = info.ClassNames },
            };
            var loader = new DataLoader(images, new DataLoaderOptions(BatchSize: CalibrationBatchSize(info.ImageSize), Shuffle: false, DropLast: false,
                Workers: threads, Transform: TransformPresets.Eval(info.ImageSize, info.Normalization, CheckpointImageInput.IsSmall(info))));
            log.WriteLine(string.Create(Inv, $"calibrating {info.ModelName} ({method.ToString().ToLowerInvariant()}) on {images.Count:N0} training images of {spec}"));
            written = WithProgress(settings, log, images.Count, progress =>
                OnnxQuantizer.Quantize(model, Images(loader, token), settings.Output!, options, progress, token));
        }
        Report(settings, path, spec, written);
        return ExitCodes.Success;
    }

    /// <summary>
    /// The calibration images: <paramref name="samples"/> drawn with <paramref name="seed"/> from the training split of
    /// <paramref name="spec"/> (all of it when smaller), checked against the checkpoint's input channels. Data wiring
    /// lives here alone so it can move into the library with the rest of the data opening.
    /// </summary>
    private static IImageDataset OpenCalibrationImages(string spec, CheckpointInfo info, int samples, int seed)
    {
        var split = DataSpec.Resolve(spec, new DataOptions(Folder: new ImageFolderOptions { Channels = info.Channels }));
        var train = split.Train;
        if (train.Channels != info.Channels)
            throw new ModelZooDataException($"data '{spec}' has {train.Channels}-channel images but the checkpoint expects {info.Channels}", spec);
        if (train.Count == 0) throw new ModelZooDataException($"data '{spec}' has no training images to calibrate on", spec);
        if (samples >= train.Count) return train;
        var indices = Enumerable.Range(0, train.Count).ToArray();
        new Random(seed).Shuffle(indices);
        return new SubsetDataset(train, indices.Take(samples).Order().ToArray());
    }

    /// <summary>Batches small enough that every activation of a 224-pixel ResNet-50 batch fits in about a gigabyte (ONNX Runtime returns them all).</summary>
    internal static int CalibrationBatchSize(int imageSize) => Math.Clamp(400_000 / (imageSize * imageSize), 1, 64);

    /// <summary>The loader's images, each batch disposed once the quantizer moved on.</summary>
    private static IEnumerable<Tensor> Images(DataLoader loader, CancellationToken token)
    {
        foreach (var batch in loader.GetEpoch(0, token))
        {
            using (batch) yield return batch.Images;
        }
    }

    private T WithProgress<T>(QuantizeSettings settings, TextWriter log, int total, Func<IProgress<int>, T> work)
    {
        if (env.Interactive && !settings.Json)
        {
            return env.Console.Progress().AutoClear(true).HideCompleted(true)
                .Columns(new TaskDescriptionColumn { Alignment = Justify.Left }, new ProgressBarColumn { Width = 20 }, new PercentageColumn())
                .Start(ctx =>
                {
                    var task = ctx.AddTask("calibrating", maxValue: total);
                    return work(new SynchronousProgress(done => task.Value = done));
                });
        }
        var since = Stopwatch.StartNew();
        return work(new SynchronousProgress(done =>
        {
            if (done < total && since.Elapsed < TimeSpan.FromSeconds(10)) return;
            since.Restart();
            log.WriteLine(string.Create(Inv, $"calibrated {done:N0}/{total:N0} images"));
            log.Flush();
        }));
    }

    private void Report(QuantizeSettings settings, string checkpoint, string spec, OnnxQuantizationInfo w)
    {
        if (settings.Json)
        {
            var ops = new JsonObject();
            foreach (var (op, count) in w.QuantizedOps) ops[op] = count;
            env.Console.Profile.Out.Writer.WriteLine(new JsonObject
            {
                ["checkpoint"] = checkpoint, ["output"] = w.Path, ["format"] = "onnx-qdq", ["model"] = w.ModelName,
                ["method"] = w.Method.ToString().ToLowerInvariant(), ["activations"] = settings.Activations.ToLowerInvariant(),
                ["calibration_data"] = spec, ["samples"] = w.Samples, ["folded_batch_norms"] = w.FoldedBatchNorms,
                ["float_bytes"] = w.FloatBytes, ["bytes"] = w.FileBytes, ["size_ratio"] = Math.Round(w.SizeRatio, 4),
                ["quantized_ops"] = ops, ["float_nodes"] = new JsonArray(w.FloatNodes.Select(n => (JsonNode?)n).ToArray()),
            }.ToJsonString(CliJson.Compact));
            return;
        }
        // Whole lines, never wrapped at the console width (a log or a script reads them).
        var o = env.Console.Profile.Out.Writer;
        o.WriteLine(string.Create(Inv,
            $"wrote {w.Path}: {w.ModelName}, 8-bit QDQ ({settings.Activations.ToLowerInvariant()} activations, int8 weights), {w.Method.ToString().ToLowerInvariant()} calibration on {w.Samples:N0} images"));
        o.WriteLine(string.Create(Inv,
            $"size: {w.FileBytes / 1e6:F1} MB, {w.SizeRatio * 100:F1} % of the float32 export ({w.FloatBytes / 1e6:F1} MB); {w.FoldedBatchNorms} batch norms folded"));
        o.WriteLine("quantized: " + string.Join(", ", w.QuantizedOps.Select(kv => $"{kv.Key} {kv.Value}")));
        o.WriteLine(w.FloatNodes.Count == 0 ? "left in float: nothing"
            : $"left in float ({w.FloatNodes.Count}, no int8 kernel in this layout): {string.Join(", ", w.FloatNodes)}");
    }

    /// <summary>An <see cref="IProgress{T}"/> that reports on the calling thread (Progress&lt;T&gt; would post to the thread pool, out of order).</summary>
    private sealed class SynchronousProgress(Action<int> report) : IProgress<int>
    {
        public void Report(int value) => report(value);
    }
}
