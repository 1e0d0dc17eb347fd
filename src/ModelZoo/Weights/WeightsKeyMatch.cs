using System.Runtime.InteropServices;
using TorchSharp;

namespace ModelZoo.Weights;

/// <summary>
/// Names the zoo model a weight file was most likely saved from, by its state-dict keys: every zoo model's key set is
/// built once per process on libtorch's <c>meta</c> device (shapes only, no memory, no initialisation cost: about a
/// second for the whole zoo) and compared with the file's keys. Used to explain a file that does not fit ("this file
/// looks like resnet18").
/// </summary>
internal static class WeightsKeyMatch
{
    private static readonly object Gate = new();
    private static IReadOnlyDictionary<string, HashSet<string>>? _zooKeys;

    /// <summary>
    /// The zoo models whose keys match <paramref name="fileKeys"/> best (several when their key sets are the same, as
    /// resnet18's and binary-resnet18's are), with the share of keys in common (Jaccard index, 0..1;
    /// <c>num_batches_tracked</c> ignored, since older torchvision files lack it); empty when no model shares at least
    /// 90 % of the keys, or the zoo cannot be built here.
    /// </summary>
    public static (IReadOnlyList<string> Models, double Similarity) LikelyModels(IEnumerable<string> fileKeys)
    {
        var keys = Comparable(fileKeys);
        if (keys.Count == 0 || ZooKeys() is not { } zoo) return ([], 0);
        var scored = zoo.Select(kv =>
        {
            int common = keys.Count(kv.Value.Contains);
            return (Name: kv.Key, Similarity: (double)common / (keys.Count + kv.Value.Count - common));
        }).ToList();
        double best = scored.Max(s => s.Similarity);
        if (best < 0.9) return ([], best);
        return (scored.Where(s => s.Similarity == best).Select(s => s.Name).Order(StringComparer.Ordinal).ToList(), best);
    }

    /// <summary>
    /// "; this file looks like X (...)" when the file's keys are another zoo model's than the one loading it (whose
    /// keys are <paramref name="modelKeys"/>); "" otherwise. Among models with the same keys, those of the loading
    /// model's family come first, then those with published weights.
    /// </summary>
    public static string Hint(IEnumerable<string> fileKeys, IEnumerable<string> modelKeys)
    {
        var (models, similarity) = LikelyModels(fileKeys);
        if (models.Count == 0 || ZooKeys() is not { } zoo) return "";
        var own = Comparable(modelKeys);
        if (models.Any(m => zoo[m].SetEquals(own))) return "";
        var families = zoo.Where(kv => kv.Value.SetEquals(own)).Select(kv => Zoo.Card(kv.Key).Family).ToHashSet(StringComparer.Ordinal);
        // Then a model with published weights (resnet18 before binary-resnet18, which shares its keys but has none).
        var ordered = models.OrderBy(m => families.Contains(Zoo.Card(m).Family) ? 0 : 1).ThenBy(m => Zoo.Card(m).Weights.Count > 0 ? 0 : 1)
            .ThenBy(m => m, StringComparer.Ordinal).ToList();
        string likely = ordered[0];
        string share = similarity >= 0.9999 ? "its keys are exactly that model's" : $"{similarity:P0} of the keys in common";
        string same = ordered.Count > 1 ? $"; {string.Join(", ", ordered.Skip(1))} {(ordered.Count > 2 ? "have" : "has")} the same keys" : "";
        return $"; this file looks like {likely} ({share}{same}): load it into {likely} (e.g. `modelzoo import-weights --model {likely}`)";
    }

    private static HashSet<string> Comparable(IEnumerable<string> keys) =>
        keys.Where(k => !k.EndsWith(".num_batches_tracked", StringComparison.Ordinal)).ToHashSet(StringComparer.Ordinal);

    private static IReadOnlyDictionary<string, HashSet<string>>? ZooKeys()
    {
        lock (Gate)
        {
            if (_zooKeys is not null) return _zooKeys;
            var table = new Dictionary<string, HashSet<string>>(StringComparer.Ordinal);
            var previous = torch.get_default_device();
            try
            {
                // Parameters on the meta device have shapes but no storage: building VGG-19 this way allocates nothing.
                torch.set_default_device(new torch.Device("meta"));
                foreach (string name in Zoo.Names)
                {
                    using var model = Zoo.Create(name);
                    table[name] = Comparable(model.state_dict().Keys);
                }
            }
            catch (Exception e) when (e is ExternalException or ArgumentException or NotSupportedException or InvalidOperationException)
            {
                return null;
            }
            finally
            {
                torch.set_default_device(previous);
            }
            return _zooKeys = table;
        }
    }
}
