using System.Globalization;
using System.Text.Json.Nodes;
using ModelZoo.Onnx;
using ModelZoo.Training;
using ModelZoo.Weights;
using Spectre.Console;
using Spectre.Console.Cli;
using static TorchSharp.torch;

namespace ModelZoo.Cli.Commands;

/// <summary>
/// <c>modelzoo export</c>: a checkpoint as an ONNX inference graph at the checkpoint's input size, with the
/// checkpoint's normalisation, the evaluation resize/crop and the class names recorded as metadata (see docs/onnx.md),
/// or as a safetensors state dict under torchvision's names (see docs/weights.md).
/// </summary>
public sealed class ExportCommand(CliEnvironment env) : Command<ExportSettings>
{
    /// <inheritdoc />
    public override int Execute(CommandContext context, ExportSettings settings, CancellationToken cancellationToken)
    {
        string path = Checkpoint.ResolveBestPath(settings.Checkpoint ?? PretrainedCheckpoint.For(settings.Weights!, env, cancellationToken));
        OutputPaths.CheckFile("--output", settings.Output!, settings.Overwrite, new FileInfo(path).Length + (1L << 20));
        var info = Checkpoint.ReadInfo(path);
        int size = info.ImageSize;
        var preprocessing = CheckpointImageInput.Preprocessing(info);
        using var scope = NewDisposeScope();
        var (model, _) = Checkpoint.LoadModel(path, settings.Ema);
        if (string.Equals(settings.Format, "packed", StringComparison.OrdinalIgnoreCase))
        {
            using (model) return ExportPacked(settings, path, info, model);
        }
        if (string.Equals(settings.Format, "safetensors", StringComparison.OrdinalIgnoreCase))
        {
            using (model) return ExportSafetensors(settings, path, info, model);
        }
        OnnxExportInfo written;
        using (model)
        {
            model.eval();
            written = OnnxExporter.Export(model, settings.Output!,
                new OnnxExportOptions { InputSize = (size, size), Opset = settings.Opset, Preprocessing = preprocessing, ClassNames = info.ClassNames });
        }
        if (settings.Json)
        {
            env.Console.Profile.Out.Writer.WriteLine(new JsonObject
            {
                ["checkpoint"] = path, ["output"] = written.Path, ["format"] = "onnx", ["model"] = written.ModelName, ["opset"] = written.Opset,
                ["input"] = new JsonArray(written.InputShape.Channels, written.InputShape.Height, written.InputShape.Width),
                ["classes"] = written.NumClasses, ["nodes"] = written.Nodes, ["bytes"] = written.FileBytes,
            }.ToJsonString(CliJson.Compact));
        }
        else
        {
            env.Console.MarkupLine(Markup.Escape(string.Create(CultureInfo.InvariantCulture,
                $"wrote {written.Path}: {written.ModelName}, ONNX opset {written.Opset}, input [batch, {written.InputShape.Channels}, {written.InputShape.Height}, {written.InputShape.Width}] -> logits [batch, {written.NumClasses}], {written.Nodes} nodes, {written.FileBytes / 1e6:F1} MB")));
        }
        return ExitCodes.Success;
    }

    private int ExportPacked(ExportSettings settings, string checkpoint, CheckpointInfo info, nn.Module model)
    {
        if (!model.modules().OfType<ModelZoo.Blocks.Binary.IBinaryLayer>().Any())
            throw new ModelZooException($"model '{info.ModelName}' has no binary layers; --format packed is for binarized networks (use safetensors or onnx)");
        long bytes = ModelZoo.Blocks.Binary.BinaryPacking.Save(model, settings.Output!);
        long checkpointBytes = new FileInfo(checkpoint).Length;
        string output = Path.GetFullPath(settings.Output!);
        if (settings.Json)
        {
            env.Console.Profile.Out.Writer.WriteLine(new JsonObject
            {
                ["checkpoint"] = checkpoint, ["output"] = output, ["format"] = "packed", ["model"] = info.ModelName,
                ["bytes"] = bytes, ["checkpoint_bytes"] = checkpointBytes,
            }.ToJsonString(CliJson.Compact));
        }
        else
        {
            env.Console.MarkupLine(Markup.Escape(string.Create(CultureInfo.InvariantCulture,
                $"wrote {output}: {info.ModelName}, 1-bit weights packed 8 per byte, {bytes:N0} bytes ({(double)checkpointBytes / bytes:F1}x smaller than the checkpoint)")));
        }
        return ExitCodes.Success;
    }

    private int ExportSafetensors(ExportSettings settings, string checkpoint, CheckpointInfo info, nn.Module model)
    {
        var state = model.state_dict();
        var metadata = new Dictionary<string, string>
        {
            ["format"] = "pt",
            ["modelzoo.model"] = info.ModelName,
            ["modelzoo.classes"] = System.Text.Json.JsonSerializer.Serialize(info.ClassNames),
            ["modelzoo.mean"] = string.Join(",", info.Normalization.Mean.Select(v => v.ToString("R", CultureInfo.InvariantCulture))),
            ["modelzoo.std"] = string.Join(",", info.Normalization.Std.Select(v => v.ToString("R", CultureInfo.InvariantCulture))),
            ["modelzoo.input"] = $"{info.Channels}x{info.ImageSize}x{info.ImageSize}",
        };
        SafetensorsFile.Write(settings.Output!, state, metadata);
        long bytes = new FileInfo(settings.Output!).Length;
        string output = Path.GetFullPath(settings.Output!);
        if (settings.Json)
        {
            env.Console.Profile.Out.Writer.WriteLine(new JsonObject
            {
                ["checkpoint"] = checkpoint, ["output"] = output, ["format"] = "safetensors", ["model"] = info.ModelName,
                ["tensors"] = state.Count, ["classes"] = info.ClassNames.Count, ["bytes"] = bytes,
            }.ToJsonString(CliJson.Compact));
        }
        else
        {
            env.Console.MarkupLine(Markup.Escape(string.Create(CultureInfo.InvariantCulture,
                $"wrote {output}: {info.ModelName}, {state.Count} tensors under torchvision's names, {bytes / 1e6:F1} MB")));
        }
        return ExitCodes.Success;
    }
}
