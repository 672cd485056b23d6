//! Colour contrast as WCAG 2.x defines it, and the least change to a colour
//! that makes it readable on given backgrounds.
//!
//! Used to make syntax themes meet WCAG AA on the default theme's code
//! backgrounds: a theme colour that reads too faintly is darkened (on light
//! backgrounds) or lightened (on dark ones) in even steps of all three
//! channels towards black or white, which keeps its hue and moves it no
//! further than needed.

/// The contrast WCAG AA asks of normal-size text.
pub const AA_NORMAL: f64 = 4.5;

/// An sRGB colour, 8 bits a channel.
pub type Rgb = (u8, u8, u8);

/// WCAG 2.x relative luminance of an sRGB colour (0 black, 1 white).
pub fn relative_luminance((r, g, b): Rgb) -> f64 {
    let linear = |channel: u8| {
        let c = f64::from(channel) / 255.0;
        if c <= 0.04045 {
            c / 12.92
        } else {
            ((c + 0.055) / 1.055).powf(2.4)
        }
    };
    0.2126 * linear(r) + 0.7152 * linear(g) + 0.0722 * linear(b)
}

/// WCAG 2.x contrast ratio of two colours, from 1 to 21, in either order.
pub fn contrast_ratio(a: Rgb, b: Rgb) -> f64 {
    let (la, lb) = (relative_luminance(a), relative_luminance(b));
    let (light, dark) = if la > lb { (la, lb) } else { (lb, la) };
    (light + 0.05) / (dark + 0.05)
}

/// `color` itself when it reaches `min` contrast on every background, else
/// the nearest colour of the same hue that does: mixed towards black when the
/// backgrounds are light, towards white when they are dark (judged by the
/// first background), by the smallest step of 1/255 that is enough.
/// Falls back to black or white, which reach at least 4.5 on any background
/// that is light or dark enough to be judged so.
pub fn readable_on(color: Rgb, backgrounds: &[Rgb], min: f64) -> Rgb {
    let Some(&first) = backgrounds.first() else {
        return color;
    };
    let enough = |c: Rgb| backgrounds.iter().all(|&bg| contrast_ratio(c, bg) >= min);
    if enough(color) {
        return color;
    }
    // The luminance at which black and white contrast equally with `first`.
    let towards_black = relative_luminance(first) > 0.179;
    let target: u8 = if towards_black { 0 } else { 255 };
    let mix = |channel: u8, step: u32| {
        let (c, t) = (u32::from(channel), u32::from(target));
        let mixed = (c * (255 - step) + t * step + 127) / 255;
        u8::try_from(mixed).unwrap_or(target)
    };
    (1..=255)
        .map(|step| (mix(color.0, step), mix(color.1, step), mix(color.2, step)))
        .find(|&c| enough(c))
        .unwrap_or((target, target, target))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn black_on_white_is_21_and_order_does_not_matter() {
        let ratio = contrast_ratio((0, 0, 0), (255, 255, 255));
        assert!((ratio - 21.0).abs() < 1e-9);
        assert_eq!(
            contrast_ratio((11, 92, 173), (251, 250, 247)),
            contrast_ratio((251, 250, 247), (11, 92, 173))
        );
    }

    #[test]
    fn the_issue_s_figure_is_reproduced() {
        // `#0086b3` on `#f4f2ee`: 3.71:1, as Lighthouse measured.
        let ratio = contrast_ratio((0x00, 0x86, 0xb3), (0xf4, 0xf2, 0xee));
        assert!((ratio - 3.71).abs() < 0.01, "{ratio}");
    }

    #[test]
    fn faint_colours_move_just_enough_and_keep_their_hue() {
        let light_bg = (0xf4, 0xf2, 0xee);
        let fixed = readable_on((0x00, 0x86, 0xb3), &[light_bg], AA_NORMAL);
        assert!(contrast_ratio(fixed, light_bg) >= AA_NORMAL);
        assert!(
            contrast_ratio(fixed, light_bg) < AA_NORMAL + 0.1,
            "{fixed:?}"
        );
        // Same proportions of green to blue: the hue is kept.
        let ratio = |c: Rgb| f64::from(c.1) / f64::from(c.2);
        assert!((ratio(fixed) - ratio((0x00, 0x86, 0xb3))).abs() < 0.02);

        let dark_bg = (0x22, 0x26, 0x2b);
        let fixed = readable_on((0x65, 0x73, 0x7e), &[dark_bg], AA_NORMAL);
        assert!(contrast_ratio(fixed, dark_bg) >= AA_NORMAL);
        assert!(fixed.0 > 0x65, "lightened: {fixed:?}");
    }

    #[test]
    fn readable_colours_are_left_alone() {
        let c = (0x1f, 0x23, 0x28);
        assert_eq!(readable_on(c, &[(255, 255, 255)], AA_NORMAL), c);
        assert_eq!(readable_on(c, &[], AA_NORMAL), c);
    }
}
