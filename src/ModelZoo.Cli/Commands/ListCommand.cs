using System.Globalization;
using System.Text.Json.Nodes;
using Spectre.Console;
using Spectre.Console.Cli;

namespace ModelZoo.Cli.Commands;

/// <summary><c>modelzoo list</c>: every registered model with its card.</summary>
public sealed class ListCommand(CliEnvironment env) : Command<ListSettings>
{
    /// <inheritdoc />
    public override int Execute(CommandContext context, ListSettings settings, CancellationToken cancellationToken)
    {
        var aliases = Zoo.Aliases.GroupBy(kv => kv.Value).ToDictionary(g => g.Key, g => g.Select(kv => kv.Key).OrderBy(a => a, StringComparer.Ordinal).ToList());
        var cards = Zoo.Names.Order(Suggestions.NaturalOrder).Select(Zoo.Card).ToList();
        if (settings.Json)
        {
            var array = new JsonArray();
            foreach (var c in cards)
            {
                array.Add(new JsonObject
                {
                    ["name"] = c.Name,
                    ["family"] = c.Family,
                    ["summary"] = c.Summary,
                    ["paper"] = c.Paper,
                    ["params"] = c.Parameters,
                    ["macs"] = c.Macs,
                    ["input"] = new JsonArray(c.DefaultInput.Channels, c.DefaultInput.Height, c.DefaultInput.Width),
                    ["reference_top1"] = c.ReferenceTop1,
                    ["reference_source"] = c.ReferenceSource,
                    ["small_input"] = c.SmallInput.ToString().ToLowerInvariant(),
                    ["aliases"] = new JsonArray(aliases.GetValueOrDefault(c.Name, []).Select(a => (JsonNode?)a).ToArray()),
                    ["weights"] = new JsonArray(c.Weights.Select(w => (JsonNode?)new JsonObject
                    {
                        ["name"] = w.Name,
                        ["url"] = w.Url,
                        ["sha256"] = w.Sha256,
                        ["licence"] = w.Licence,
                        ["classes"] = w.Classes,
                        ["reference_top1"] = w.ReferenceTop1,
                        ["default"] = w.IsDefault,
                    }).ToArray()),
                });
            }
            env.Console.Profile.Out.Writer.WriteLine(array.ToJsonString(CliJson.Compact));
            return ExitCodes.Success;
        }

        var table = new Table().Border(TableBorder.Rounded)
            .AddColumn("model").AddColumn("family").AddColumn(new TableColumn("params").RightAligned())
            .AddColumn(new TableColumn("MACs").RightAligned()).AddColumn("input").AddColumn(new TableColumn("ref. top-1").RightAligned()).AddColumn("weights").AddColumn("aliases");
        foreach (var c in cards)
        {
            table.AddRow(
                Markup.Escape(c.Name), Markup.Escape(c.Family), Units.Count(c.Parameters), Units.Count(c.Macs),
                $"{c.DefaultInput.Channels}x{c.DefaultInput.Height}x{c.DefaultInput.Width}",
                c.ReferenceTop1 is double t ? t.ToString("0.00", CultureInfo.InvariantCulture) + " %" : "-",
                c.Weights.Count == 0 ? "-" : Markup.Escape(string.Join(", ", c.Weights.Select(w => w.Tag))),
                Markup.Escape(string.Join(", ", aliases.GetValueOrDefault(c.Name, []))));
        }
        env.Console.Write(table);
        return ExitCodes.Success;
    }
}
