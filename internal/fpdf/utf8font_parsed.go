package fpdf

// This file is not part of fpdf v0.12.0: it lets one parsed UTF-8 font serve
// many documents. AddUTF8FontFromBytes parses the whole TrueType file for each
// document, and writing the document parses it a second time to cut the
// subset of the glyphs it used; both readings give the same result for the
// same font, so ParseUTF8Font does them once and AddUTF8FontParsed hands each
// document its own copy of the few fields that cutting changes. The bytes of
// a document are the same as AddUTF8FontFromBytes gives.

import (
	"encoding/binary"
	"errors"
	"slices"
	"sync"
)

// UTF8Font is a TrueType font parsed once, to be added to any number of
// documents with AddUTF8FontParsed. It is never changed after
// ParseUTF8Font, so documents on several goroutines may share it.
type UTF8Font struct {
	file utf8FontFile   // as parseFile leaves it
	cut  *utf8CutTables // what GenerateCutFont reads before it picks glyphs
	ids  sync.Map       // font key → generateFontID of its definition

	cutsMu sync.Mutex
	cuts   map[string]*fontCut // the used runes (cutKey) → the subset cut for them
}

// fontCut is what a document writes of a UTF-8 font's subset for one set of
// used runes: the cut font (size and compressed stream), its code-to-glyph
// map (as the compressed CIDToGIDMap stream) and its widths (/W). All are a
// function of the font and the runes, so documents using the same runes
// share one cut instead of cutting it again (about a third of an invoice's
// CPU), and instead of spelling out, clearing and hashing the 128 kB map and
// hashing the font stream again for each document; none of them is changed
// after it is made.
type fontCut struct {
	size   int    // the cut font's length, uncompressed
	stream []byte // the cut font, compressed
	gidMap []byte // the CIDToGIDMap stream, compressed
	widths string
}

// fontCutsMax bounds the cuts a font keeps: a shop's documents mostly use
// the same few (the bold font's headings and figures).
const fontCutsMax = 64

// cutFor is the cut of the runes used, made by cut when this font has none
// for them yet. A font not added through AddUTF8FontParsed (nil) cuts every
// time.
func (font *UTF8Font) cutFor(used map[int]int, cut func() *fontCut) *fontCut {
	if font == nil {
		return cut()
	}
	key := cutKey(used)
	font.cutsMu.Lock()
	c, ok := font.cuts[key]
	font.cutsMu.Unlock()
	if ok {
		return c
	}
	c = cut()
	font.cutsMu.Lock()
	if font.cuts == nil {
		font.cuts = make(map[string]*fontCut)
	}
	for k := range font.cuts {
		if len(font.cuts) < fontCutsMax {
			break
		}
		delete(font.cuts, k) // one at random: the cuts most documents share are soon back
	}
	font.cuts[key] = c
	font.cutsMu.Unlock()
	return c
}

// cutKey writes a set of used runes (rune → its value there) as a map key:
// the pairs in rune order.
func cutKey(used map[int]int) string {
	runes := make([]int, 0, len(used))
	for r := range used {
		runes = append(runes, r)
	}
	slices.Sort(runes)
	b := make([]byte, 0, len(runes)*6)
	for _, r := range runes {
		b = binary.AppendVarint(b, int64(r))
		b = binary.AppendVarint(b, int64(used[r]))
	}
	return string(b)
}

// utf8CutTables holds what GenerateCutFont reads of the whole font before it
// picks the glyphs of a subset: the same for every subset of one font.
type utf8CutTables struct {
	tableDescriptions    map[string]*tableDescription
	charSymbolDictionary map[int]int
	symbolPosition       []int
	locaFormat           int
	metricsCount         int
	numSymbols           int
}

// ParseUTF8Font parses a TrueType font for AddUTF8FontParsed. The font keeps
// utf8Bytes, which the caller must not change afterwards.
func ParseUTF8Font(utf8Bytes []byte) (*UTF8Font, error) {
	parsed := newUTF8Font(&fileReader{array: utf8Bytes})
	if err := parsed.parseFile(); err != nil {
		return nil, err
	}
	cut := newUTF8Font(&fileReader{array: utf8Bytes}).readCutTables()
	if cut == nil {
		return nil, errors.New("fpdf: font has no Unicode cmap")
	}
	return &UTF8Font{file: *parsed, cut: cut}, nil
}

// AddUTF8FontParsed makes a font parsed by ParseUTF8Font available to the
// document under family and style, as AddUTF8FontFromBytes does with the
// font's bytes.
func (f *Fpdf) AddUTF8FontParsed(familyStr, styleStr string, font *UTF8Font) {
	if f.err != nil {
		return
	}
	fontkey := getFontKey(fontFamilyEscape(familyStr), styleStr)
	if _, ok := f.fonts[fontkey]; ok {
		return
	}
	utf8File := font.file
	utf8File.fileReader = &fileReader{array: font.file.fileReader.array}
	utf8File.cutTables = font.cut
	desc := FontDescType{
		Ascent:       int(utf8File.Ascent),
		Descent:      int(utf8File.Descent),
		CapHeight:    utf8File.CapHeight,
		Flags:        utf8File.Flags,
		FontBBox:     utf8File.Bbox,
		ItalicAngle:  utf8File.ItalicAngle,
		StemV:        utf8File.StemV,
		MissingWidth: round(utf8File.DefaultWidth),
	}
	var sbarr map[int]int
	if f.aliasNbPagesStr == "" {
		sbarr = makeSubsetRange(57)
	} else {
		sbarr = makeSubsetRange(32)
	}
	def := fontDefType{
		Tp:        "UTF8",
		Name:      fontkey,
		Desc:      desc,
		Up:        int(round(utf8File.UnderlinePosition)),
		Ut:        round(utf8File.UnderlineThickness),
		Cw:        utf8File.CharWidths, // shared: only read
		utf8File:  &utf8File,
		usedRunes: sbarr,
		parsed:    font,
	}
	if id, ok := font.ids.Load(fontkey); ok {
		def.i = id.(string)
	} else {
		def.i, _ = generateFontID(def)
		font.ids.Store(fontkey, def.i)
	}
	f.fonts[fontkey] = def
}

// readCutTables reads what GenerateCutFont needs of the whole font, as
// GenerateCutFont of v0.12.0 did at its start; nil if the font has no
// Unicode cmap.
func (utf *utf8FontFile) readCutTables() *utf8CutTables {
	utf.fileReader.readerPosition = 0
	utf.symbolPosition = make([]int, 0)
	utf.charSymbolDictionary = make(map[int]int)
	utf.tableDescriptions = make(map[string]*tableDescription)
	utf.outTablesData = make(map[string][]byte)
	utf.Ascent = 0
	utf.Descent = 0
	utf.skip(4)
	utf.LastRune = 0
	utf.generateTableDescriptions()

	utf.SeekTable("head")
	utf.skip(50)
	locaFormat := utf.readUint16()

	utf.SeekTable("hhea")
	utf.skip(34)
	metricsCount := utf.readUint16()

	utf.SeekTable("maxp")
	utf.skip(4)
	numSymbols := utf.readUint16()

	symbolCharDictionary := utf.generateCMAP()
	if symbolCharDictionary == nil {
		return nil
	}

	utf.parseHMTXTable(metricsCount, numSymbols, symbolCharDictionary, 1.0)

	utf.parseLOCATable(locaFormat, numSymbols)

	return &utf8CutTables{
		tableDescriptions:    utf.tableDescriptions,
		charSymbolDictionary: utf.charSymbolDictionary,
		symbolPosition:       utf.symbolPosition,
		locaFormat:           locaFormat,
		metricsCount:         metricsCount,
		numSymbols:           numSymbols,
	}
}

// HasGlyph reports whether the font draws r. A document writes only runes of
// the Basic Multilingual Plane (it fails on any other, an emoji for one) and
// draws one the font has no glyph for as an empty box.
func (font *UTF8Font) HasGlyph(r rune) bool {
	if r < 0 || r > 0xFFFF {
		return false
	}
	g, ok := font.cut.charSymbolDictionary[int(r)]
	return ok && g != 0
}
