using System.Text.Json.Nodes;
using ModelZoo.Hub;
using Spectre.Console.Cli;

namespace ModelZoo.Cli.Commands;

/// <summary>
/// <c>modelzoo weights download NAME|URL</c>: fetches the file into the cache (or finds it there or in PyTorch's hub
/// folder), verifies its SHA-256, and prints its path on stdout (progress on a terminal, plain lines on stderr otherwise).
/// </summary>
public sealed class WeightsDownloadCommand(CliEnvironment env) : Command<WeightsDownloadSettings>
{
    /// <inheritdoc />
    public override int Execute(CommandContext context, WeightsDownloadSettings settings, CancellationToken cancellationToken)
    {
        var token = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, env.Signals.Token).Token;
        string path = WeightsSource.Resolve("weights download", settings.Weights, settings.Sha256, env, cancellationToken: token);
        var known = WeightsSource.Known(settings.Weights);
        if (settings.Json)
        {
            env.Console.Profile.Out.Writer.WriteLine(new JsonObject
            {
                ["name"] = known?.Name, ["url"] = known?.Url ?? settings.Weights, ["path"] = Path.GetFullPath(path),
                ["bytes"] = new FileInfo(path).Length, ["sha256"] = WeightsHub.Sha256Of(path),
            }.ToJsonString(CliJson.Compact));
        }
        else
        {
            env.Console.Profile.Out.Writer.WriteLine(Path.GetFullPath(path));
        }
        return ExitCodes.Success;
    }
}
