using System.Globalization;
using System.Text.Json.Nodes;
using ModelZoo.Training;
using Spectre.Console;
using Spectre.Console.Cli;
using static TorchSharp.torch;

namespace ModelZoo.Cli.Commands;

/// <summary><c>modelzoo predict</c>: the top-k classes of each image under a checkpoint.</summary>
public sealed class PredictCommand(CliEnvironment env) : Command<PredictSettings>
{
    /// <inheritdoc />
    public override int Execute(CommandContext context, PredictSettings settings, CancellationToken cancellationToken)
    {
        string path = Checkpoint.ResolveBestPath(settings.Checkpoint!);
        var info = Checkpoint.ReadInfo(path);
        int k = Math.Min(settings.Top, info.ClassNames.Count);
        using var input = new CheckpointImageInput(info);
        var results = new JsonArray();
        var table = new Table().Border(TableBorder.Simple).AddColumn("image").AddColumn("rank").AddColumn("class").AddColumn(new TableColumn("probability").RightAligned());
        using var scope = NewDisposeScope();
        var (model, _) = Checkpoint.LoadModel(path);
        using (model)
        using (no_grad())
        {
            foreach (string image in settings.Images)
            {
                cancellationToken.ThrowIfCancellationRequested();
                using var step = NewDisposeScope();
                var probs = model.forward(input.Load(image)).softmax(1);
                var (values, indices) = probs.topk(k, dim: 1);
                float[] p = values.data<float>().ToArray();
                long[] idx = indices.data<long>().ToArray();
                var predictions = new JsonArray();
                for (int i = 0; i < k; i++)
                {
                    predictions.Add(new JsonObject { ["class"] = info.ClassNames[(int)idx[i]], ["index"] = idx[i], ["probability"] = p[i] });
                    table.AddRow(i == 0 ? Markup.Escape(image) : "", (i + 1).ToString(CultureInfo.InvariantCulture),
                        Markup.Escape(info.ClassNames[(int)idx[i]]), (p[i] * 100).ToString("0.00", CultureInfo.InvariantCulture) + " %");
                }
                results.Add(new JsonObject { ["image"] = image, ["predictions"] = predictions });
            }
        }
        if (settings.Json)
            env.Console.Profile.Out.Writer.WriteLine(new JsonObject { ["checkpoint"] = path, ["model"] = info.ModelName, ["results"] = results }.ToJsonString(CliJson.Compact));
        else
            env.Console.Write(table);
        return ExitCodes.Success;
    }
}
