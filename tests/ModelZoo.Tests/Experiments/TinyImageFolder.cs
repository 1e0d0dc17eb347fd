namespace ModelZoo.Tests.Experiments;

/// <summary>A small copy of imagenette-mini (a few real JPEGs of its first classes, train/ and val/) in a temp folder, for quick folder runs.</summary>
internal static class TinyImageFolder
{
    /// <summary>The first three imagenette-mini classes: tench, English springer, cassette player.</summary>
    public static readonly string[] Classes = ["n01440764", "n02102040", "n02979186"];

    public static string Create(string root, int trainPerClass = 4, int valPerClass = 2, string? classesTxt = null)
    {
        string source = TestPaths.Imagenette;
        foreach (var (split, count) in new[] { ("train", trainPerClass), ("val", valPerClass) })
        {
            foreach (string c in Classes)
            {
                string to = Path.Combine(root, split, c);
                Directory.CreateDirectory(to);
                foreach (string file in Directory.GetFiles(Path.Combine(source, split, c)).Order(StringComparer.Ordinal).Take(count))
                    File.Copy(file, Path.Combine(to, Path.GetFileName(file)));
            }
        }
        if (classesTxt is not null) File.WriteAllText(Path.Combine(root, "classes.txt"), classesTxt);
        return root;
    }
}
