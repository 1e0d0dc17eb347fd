using System.Text.Json.Nodes;
using ModelZoo.Cli.Rendering;
using Spectre.Console.Cli;

namespace ModelZoo.Cli.Commands;

/// <summary><c>modelzoo report DIR</c>: one self-contained HTML page for a run, an evaluation or an experiment folder (<see cref="HtmlReport"/>).</summary>
public sealed class ReportCommand(CliEnvironment env) : Command<ReportSettings>
{
    /// <inheritdoc />
    public override int Execute(CommandContext context, ReportSettings settings, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(settings);
        var contents = HtmlReport.Find(settings.Folder);
        if (contents.IsEmpty)
            throw CliException.Failure($"'{settings.Folder}' is not a run, evaluation or experiment folder: it has no config.json, metrics.jsonl, report.json, evaluation/report.json or experiment.json");
        string output = settings.Output ?? Path.Combine(settings.Folder, "report.html");
        OutputPaths.CheckFile("--output", output, settings.Overwrite || settings.Output is null, 32L << 20);
        string html = HtmlReport.Build(settings.Folder, contents);
        string temp = output + ".tmp";
        File.WriteAllText(temp, html);
        File.Move(temp, output, overwrite: true);
        string full = Path.GetFullPath(output);
        if (settings.Json)
            env.Console.Profile.Out.Writer.WriteLine(new JsonObject { ["report"] = full, ["kind"] = contents.Kind, ["bytes"] = new FileInfo(full).Length }.ToJsonString(CliJson.Compact));
        else
            env.Console.Profile.Out.Writer.WriteLine($"{contents.Kind} report: {full}");
        return ExitCodes.Success;
    }
}
