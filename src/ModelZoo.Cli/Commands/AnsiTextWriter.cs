using System.Text;
using Spectre.Console;

namespace ModelZoo.Cli.Commands;

/// <summary>A <see cref="TextWriter"/> whose lines go to a Spectre console (so they interleave correctly with live displays).</summary>
public sealed class AnsiTextWriter(IAnsiConsole console) : TextWriter
{
    private readonly StringBuilder _line = new();

    /// <inheritdoc />
    public override Encoding Encoding => Encoding.UTF8;

    /// <inheritdoc />
    public override void Write(char value)
    {
        if (value == '\n')
        {
            console.WriteLine(_line.ToString());
            _line.Clear();
        }
        else if (value != '\r')
        {
            _line.Append(value);
        }
    }
}
