using ModelZoo.Models;

namespace ModelZoo;

/// <summary>The list of registered models. Each family file contributes its entries here.</summary>
internal static class ZooCatalog
{
    public static IEnumerable<ZooEntry> All() =>
        DeepCnn.Entries()
            .Concat(Vgg.Entries())
            .Concat(GoogLeNet.Entries())
            .Concat(ResNet.Entries())
            .Concat(BinaryNets.Entries());
}
