using System.ComponentModel;
using Spectre.Console.Cli;

namespace ModelZoo.Cli.Commands;

/// <summary>Options of <c>modelzoo list</c>.</summary>
public sealed class ListSettings : CliSettings
{
}
