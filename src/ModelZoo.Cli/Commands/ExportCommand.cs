using System.Globalization;
using System.Text.Json.Nodes;
using ModelZoo.Onnx;
using ModelZoo.Training;
using Spectre.Console;
using Spectre.Console.Cli;
using static TorchSharp.torch;

namespace ModelZoo.Cli.Commands;

/// <summary>
/// <c>modelzoo export</c>: a checkpoint as an ONNX inference graph at the checkpoint's input size, with the
/// checkpoint's normalisation, the evaluation resize/crop and the class names recorded as metadata (see docs/onnx.md).
/// </summary>
public sealed class ExportCommand(CliEnvironment env) : Command<ExportSettings>
{
    /// <inheritdoc />
    public override int Execute(CommandContext context, ExportSettings settings, CancellationToken cancellationToken)
    {
        string path = Checkpoint.ResolveBestPath(settings.Checkpoint!);
        var info = Checkpoint.ReadInfo(path);
        int size = info.ImageSize;
        // What predict does: MNIST-sized models see the image resized to the input, others resize 256/224 and centre-crop.
        int? resize = size < 64 ? null : (int)Math.Round(size * 256.0 / 224.0);
        var preprocessing = new Preprocessing(info.Normalization.Mean, info.Normalization.Std, resize, size, "bilinear");
        using var scope = NewDisposeScope();
        var (model, _) = Checkpoint.LoadModel(path);
        OnnxExportInfo written;
        using (model)
        {
            model.eval();
            written = OnnxExporter.Export(model, info.ModelName, settings.Output!,
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
}
