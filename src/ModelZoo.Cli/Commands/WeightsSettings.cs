using Spectre.Console.Cli;

namespace ModelZoo.Cli.Commands;

/// <summary>The <c>modelzoo weights</c> branch: what its subcommands (<c>list</c>, <c>download</c>) share.</summary>
public class WeightsSettings : CommandSettings
{
}
