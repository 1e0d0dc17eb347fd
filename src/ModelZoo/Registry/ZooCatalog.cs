namespace ModelZoo;

/// <summary>The list of registered models. Each family file contributes its entries here.</summary>
internal static class ZooCatalog
{
    public static IEnumerable<ZooEntry> All()
    {
        // Filled in by the model families (DeepCnn, Vgg, GoogLeNet, ResNet).
        yield break;
    }
}
