using System.Globalization;
using System.Text.Json.Nodes;
using ModelZoo.Data.Imaging;
using Spectre.Console;
using Spectre.Console.Cli;
using TorchSharp;

namespace ModelZoo.Cli.Commands;

/// <summary>
/// <c>modelzoo predict</c>: the top-k classes of each image under a checkpoint (TorchSharp) or an exported ONNX file
/// (ONNX Runtime). Folders and patterns expand to their image files; a file that cannot be read or decoded is
/// reported (stderr, and <c>errors</c> under <c>--json</c>) and the rest are still classified; the exit code is 1 when
/// any image failed.
/// </summary>
public sealed class PredictCommand(CliEnvironment env) : Command<PredictSettings>
{
    /// <inheritdoc />
    public override int Execute(CommandContext context, PredictSettings settings, CancellationToken cancellationToken)
    {
        var (files, problems) = ImageArguments.Expand(settings.Images);
        var failures = problems.Select(p => (Image: p.Argument, Error: p.Problem)).ToList();
        int threads = settings.ThreadsOrDefault;
        if (settings.Output is not null) OutputPaths.CheckFile("--output", settings.Output, settings.Overwrite, OutputPaths.MinimumFreeBytes);
        // ONNX Runtime takes its thread count per session; torch's is process-wide (and only loaded for a checkpoint).
        if (settings.Onnx is null) torch.set_num_threads(threads);
        using IImageClassifier classifier = settings.Onnx is not null
            ? new OnnxClassifier(settings.Onnx, threads)
            : new CheckpointClassifier(settings.Checkpoint ?? PretrainedCheckpoint.For(settings.Weights!, env, cancellationToken), settings.PrecisionOrDefault, settings.ChannelsLastChoice, settings.Device ?? "cpu");
        int k = Math.Min(settings.Top, classifier.ClassNames.Count);
        // Human names: classes.txt/classes.json beside the training folder, else the ImageNet WordNet map, else the id.
        var names = ModelZoo.Data.Folders.ClassNames.ForData(classifier.ClassNames, classifier.DataSpec);

        var results = new JsonArray();
        var table = new Table().Border(TableBorder.Simple).AddColumn("image").AddColumn("rank").AddColumn("class").AddColumn(new TableColumn("probability").RightAligned());
        foreach (string image in files)
        {
            cancellationToken.ThrowIfCancellationRequested();
            float[] p;
            try
            {
                p = classifier.Probabilities(image);
            }
            catch (BadImageException e)
            {
                failures.Add((image, e.Reason));
                continue;
            }
            var top = Enumerable.Range(0, p.Length).OrderByDescending(i => p[i]).ThenBy(i => i).Take(k).ToList();
            var predictions = new JsonArray();
            for (int r = 0; r < top.Count; r++)
            {
                int c = top[r];
                predictions.Add(new JsonObject { ["class"] = classifier.ClassNames[c], ["name"] = names[c], ["index"] = c, ["probability"] = p[c] });
                string shown = names[c] == classifier.ClassNames[c] ? names[c] : $"{names[c]} ({classifier.ClassNames[c]})";
                table.AddRow(r == 0 ? Markup.Escape(image) : "", (r + 1).ToString(CultureInfo.InvariantCulture),
                    Markup.Escape(shown), (p[c] * 100).ToString("0.00", CultureInfo.InvariantCulture) + " %");
            }
            results.Add(new JsonObject { ["image"] = image, ["predictions"] = predictions });
        }

        foreach (var (image, error) in failures) env.Error.WriteLine($"modelzoo: error: {image}: {error}");
        var errors = new JsonArray(failures.Select(f => (JsonNode)new JsonObject { ["image"] = f.Image, ["error"] = f.Error }).ToArray());
        var document = new JsonObject
        {
            [settings.Onnx is not null ? "onnx" : "checkpoint"] = classifier.Source, ["model"] = classifier.ModelName, ["results"] = results, ["errors"] = errors,
        };
        if (settings.Output is not null) OutputFolder.WriteFile(settings.Output, document.ToJsonString(CliJson.Indented));
        if (settings.Json) env.Console.Profile.Out.Writer.WriteLine(document.ToJsonString(CliJson.Compact));
        else if (results.Count > 0) env.Console.Write(table);
        if (failures.Count > 0)
            env.Error.WriteLine($"modelzoo: {failures.Count} of {files.Count + problems.Count} image arguments failed; {results.Count} classified");
        return failures.Count > 0 ? ExitCodes.Failure : ExitCodes.Success;
    }
}
