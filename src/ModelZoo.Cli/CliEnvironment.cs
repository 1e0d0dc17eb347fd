using ModelZoo.Data;
using Spectre.Console;

namespace ModelZoo.Cli;

/// <summary>What commands get from the host: the console, the error writer, signals and the train data provider.</summary>
/// <param name="Console">Standard output as a Spectre console.</param>
/// <param name="Error">Standard error (one-line messages).</param>
/// <param name="Signals">Cancellation on SIGINT/SIGTERM.</param>
/// <param name="TrainData">Opens the data of <c>train</c>, <c>experiment</c> and <c>lr-find</c> (the library's <see cref="DataPipeline"/>; tests substitute in-memory data).</param>
/// <param name="Interactive">Whether stdout is a terminal (live progress) or redirected (plain lines).</param>
/// <param name="Arguments">The command line as given (options are named as typed in messages).</param>
public sealed record CliEnvironment(IAnsiConsole Console, TextWriter Error, CliSignals Signals, IDataProvider TrainData, bool Interactive, IReadOnlyList<string> Arguments);
