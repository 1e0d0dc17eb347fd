using ModelZoo.Cli.Commands;
using Spectre.Console;

namespace ModelZoo.Cli;

/// <summary>What commands get from the host: the console, the error writer, signals and the train data provider.</summary>
/// <param name="Console">Standard output as a Spectre console.</param>
/// <param name="Error">Standard error (one-line messages).</param>
/// <param name="Signals">Cancellation on SIGINT/SIGTERM.</param>
/// <param name="TrainData">Opens data for <c>train</c>.</param>
/// <param name="Interactive">Whether stdout is a terminal (live progress) or redirected (plain lines).</param>
public sealed record CliEnvironment(IAnsiConsole Console, TextWriter Error, CliSignals Signals, ITrainDataProvider TrainData, bool Interactive);
