namespace ModelZoo.Cli.Commands;

/// <summary>
/// Marks a command-line option as a field of the run specification (<see cref="ModelZoo.Training.RunSpec"/>), by its
/// path in the spec's JSON form (<c>training.learningRate</c>). <see cref="CommandLineLayer"/> turns the options the user
/// typed into one spec layer; the library checks the values and names the option as typed in its messages. A switch
/// sets <see cref="Value"/> when given (e.g. <c>--no-tensorboard</c> sets <c>training.tensorBoard</c> to false).
/// </summary>
[AttributeUsage(AttributeTargets.Property, AllowMultiple = false)]
public sealed class SpecFieldAttribute(string path) : Attribute
{
    /// <summary>The field's path in the spec's JSON form.</summary>
    public string Path { get; } = path;

    /// <summary>For a switch: the value it sets (true by default).</summary>
    public bool Value { get; init; } = true;
}
