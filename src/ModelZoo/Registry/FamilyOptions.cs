using System.Text.Json.Serialization;
using ModelZoo.Models;

namespace ModelZoo;

/// <summary>
/// Options that only one family understands (torchvision's per-family keyword arguments: <c>googlenet(aux_logits=...)</c>,
/// <c>resnet50(zero_init_residual=...)</c>): <see cref="GoogLeNetOptions"/>, <see cref="ResNetOptions"/>. They ride in
/// <see cref="ModelOptions.Family"/>, and the family checks them: <see cref="Zoo.Create"/> refuses options of another
/// family with an <see cref="ArgumentException"/> naming both. In JSON (checkpoints, config.json, recipe files) they are
/// an object with the family's name: <c>"family": {"name": "googlenet", "auxLogits": true}</c>.
/// </summary>
[JsonPolymorphic(TypeDiscriminatorPropertyName = "name")]
[JsonDerivedType(typeof(GoogLeNetOptions), "googlenet")]
[JsonDerivedType(typeof(ResNetOptions), "resnet")]
public abstract record FamilyOptions
{
    /// <summary>The family these options belong to (<see cref="ModelCard.Family"/>, e.g. <c>googlenet</c>).</summary>
    [JsonIgnore]
    public abstract string FamilyName { get; }

    /// <summary>How the family is named in messages (e.g. <c>GoogLeNet</c>).</summary>
    [JsonIgnore]
    public abstract string DisplayName { get; }
}
