namespace ModelZoo.Blocks;

/// <summary>Argument checks shared by the blocks.</summary>
internal static class BlockChecks
{
    public static void Positive(long value, string name)
    {
        if (value < 1) throw new ArgumentOutOfRangeException(name, value, $"{name} must be at least 1");
    }
}
