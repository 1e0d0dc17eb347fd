using System.Globalization;
using System.Text.Json.Nodes;
using ModelZoo.Hub;
using Spectre.Console;
using Spectre.Console.Cli;

namespace ModelZoo.Cli.Commands;

/// <summary>
/// <c>modelzoo weights list</c>: every known weights entry with its URL, hash, licence, preprocessing and published
/// accuracy, and whether a copy is already on this machine (ModelZoo's cache or PyTorch's hub folder; not hashed here).
/// </summary>
public sealed class WeightsListCommand(CliEnvironment env) : Command<WeightsListSettings>
{
    /// <inheritdoc />
    public override int Execute(CommandContext context, WeightsListSettings settings, CancellationToken cancellationToken)
    {
        var options = WeightsSource.Options;
        var all = WeightsHub.All;
        if (settings.Json)
        {
            var array = new JsonArray();
            foreach (var w in all)
            {
                var p = w.Preprocessing;
                array.Add(new JsonObject
                {
                    ["name"] = w.Name, ["model"] = w.Model, ["tag"] = w.Tag, ["default"] = w.IsDefault, ["origin"] = w.Origin,
                    ["upstream_name"] = w.UpstreamName, ["url"] = w.Url, ["file"] = w.FileName, ["sha256"] = w.Sha256,
                    ["sha256_is_prefix"] = w.Sha256IsPrefix, ["size"] = w.Size, ["licence"] = w.Licence, ["classes"] = w.Classes,
                    ["class_list"] = w.ClassList, ["reference_top1"] = w.ReferenceTop1, ["reference_top5"] = w.ReferenceTop5,
                    ["accuracy_source"] = w.AccuracySource,
                    ["preprocessing"] = new JsonObject
                    {
                        ["resize"] = p.ResizeSize, ["crop"] = p.CropSize, ["interpolation"] = p.Interpolation,
                        ["mean"] = new JsonArray(p.Mean.Select(v => (JsonNode?)v).ToArray()), ["std"] = new JsonArray(p.Std.Select(v => (JsonNode?)v).ToArray()),
                    },
                    ["transform_input"] = w.TransformInput,
                    ["local_path"] = WeightsHub.FindLocal(w, options),
                });
            }
            env.Console.Profile.Out.Writer.WriteLine(array.ToJsonString(CliJson.Compact));
            return ExitCodes.Success;
        }
        var inv = CultureInfo.InvariantCulture;
        var table = new Table().Border(TableBorder.Rounded)
            .AddColumn("name").AddColumn(new TableColumn("top-1").RightAligned()).AddColumn("preprocessing").AddColumn("file (SHA-256)").AddColumn("licence").AddColumn("here");
        foreach (var w in all)
        {
            var p = w.Preprocessing;
            string local = WeightsHub.FindLocal(w, options) is string path ? (path.StartsWith(options.WeightsDirectory, StringComparison.Ordinal) ? "cache" : "torch hub") : "-";
            table.AddRow(
                Markup.Escape(w.Name + (w.IsDefault ? " *" : "")),
                w.ReferenceTop1 is double t ? t.ToString("0.00", inv) + " %" : "-",
                Markup.Escape($"{p.ResizeSize}/{p.CropSize} {p.Interpolation}"),
                Markup.Escape($"{w.FileName} ({w.Sha256}{(w.Sha256IsPrefix ? "…" : "")})"),
                Markup.Escape(w.Licence.Split(';')[0]),
                local);
        }
        env.Console.Write(table);
        env.Console.WriteLine("* the model's default weights (what the bare model name means). Preprocessing: resize/crop interpolation, ImageNet mean and std.");
        env.Console.WriteLine($"cache: {options.WeightsDirectory}" + (options.TorchCheckpointsDirectory is string torch ? $"; also used in place: {torch}" : ""));
        if (options.Mirror is string mirror) env.Console.WriteLine($"mirror (MODELZOO_WEIGHTS_MIRROR): {mirror}");
        if (options.Offline) env.Console.WriteLine("offline (MODELZOO_OFFLINE): nothing will be downloaded");
        return ExitCodes.Success;
    }
}
